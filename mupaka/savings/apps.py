from django.apps import AppConfig


class SavingsConfig(AppConfig):
    name = "mupaka.savings"
    label = "savings"
