from django.apps import AppConfig


class TellersConfig(AppConfig):
    name = "mupaka.tellers"
    label = "tellers"
