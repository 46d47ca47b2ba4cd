from django.apps import AppConfig


class SharesConfig(AppConfig):
    name = "mupaka.shares"
    label = "shares"
