from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "mupaka.loans"
    label = "loans"
