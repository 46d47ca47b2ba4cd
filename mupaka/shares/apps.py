from django.apps import AppConfig


class SharesConfig(AppConfig):
    name = "mupaka.shares"
    label = "shares"

    def ready(self) -> None:
        # A member cannot leave while she holds shares.
        from mupaka.members.services import register_exit_check
        from mupaka.shares.services import member_exit_check

        register_exit_check(member_exit_check)
