from django.core.management.base import BaseCommand, CommandError

from mupaka.core.models import User
from mupaka.core.services import staff_token_create


class Command(BaseCommand):
    help = (
        "API tokens: `mupaka token create USERNAME` prints a new token (the old one stops working)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")

    def handle(self, *args, action: str, username: str, **opts):
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active staff user named {username!r}.")
        token = staff_token_create(actor=None, user=user)
        self.stdout.write(token.key)
