from django.apps import AppConfig


class CobConfig(AppConfig):
    name = "mupaka.cob"
    label = "cob"
