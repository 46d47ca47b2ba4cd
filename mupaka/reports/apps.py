from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "mupaka.reports"
    label = "reports"
