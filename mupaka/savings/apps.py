from django.apps import AppConfig


class SavingsConfig(AppConfig):
    name = "mupaka.savings"
    label = "savings"

    def ready(self) -> None:
        # A member cannot leave while she holds an open savings account.
        from mupaka.members.services import register_exit_check
        from mupaka.savings.selectors import member_exit_check

        register_exit_check(member_exit_check)
