"""``mupaka reports-preset load [drc|rwanda|burundi]``: copy the preset's prudential norms
into the editable table (norms already there are kept as edited)."""

from django.core.management.base import BaseCommand, CommandError

from mupaka.core.exceptions import MupakaError
from mupaka.reports import presets
from mupaka.reports.services import prudential_norms_load


class Command(BaseCommand):
    help = "Load the prudential norms of a reports preset into the editable table."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load", "list"])
        parser.add_argument("preset", nargs="?", default=None)

    def handle(self, *args, action, preset, **options):
        if action == "list":
            for name in presets.preset_names():
                self.stdout.write(name)
            return
        if preset is None:
            from mupaka.reports.selectors import preset_name

            preset = preset_name()
        try:
            created = prudential_norms_load(actor=None, preset=preset)
        except MupakaError as exc:
            raise CommandError(exc.message)
        self.stdout.write(f"{preset}: {created} norm(s) loaded")
