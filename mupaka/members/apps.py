from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "mupaka.members"
    label = "members"
