from django.apps import AppConfig, apps


class MembersConfig(AppConfig):
    name = "mupaka.members"
    label = "members"

    def ready(self) -> None:
        # A pending member becomes active once her entry fee and minimum member shares
        # are paid (services/activation.py), whoever activates her.
        if apps.is_installed("mupaka.shares"):
            from mupaka.members.services import register_activation_check
            from mupaka.members.services.activation import entry_fee_and_shares_paid

            register_activation_check(entry_fee_and_shares_paid)
