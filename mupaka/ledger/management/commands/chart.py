from django.core.management.base import BaseCommand, CommandError

from mupaka.core.exceptions import MupakaError
from mupaka.ledger.services.chart import chart_load, preset_names


class Command(BaseCommand):
    help = (
        "`mupaka chart load <preset>` creates what is missing of a chart preset (drc, rwanda, "
        "burundi) for the institution's accepted currencies; `mupaka chart presets` lists them."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load", "presets"])
        parser.add_argument("preset", nargs="?")
        parser.add_argument(
            "--currencies", default="", help="comma separated (default: the institution's)"
        )

    def handle(self, *args, action: str, preset: str | None, currencies: str, **opts):
        if action == "presets":
            for name in preset_names():
                self.stdout.write(name)
            return
        if not preset:
            raise CommandError(f"Give a preset: {', '.join(preset_names())}")
        wanted = [c.strip().upper() for c in currencies.split(",") if c.strip()] or None
        try:
            result = chart_load(actor=None, preset=preset, currencies=wanted)
        except MupakaError as exc:
            raise CommandError(exc.message)
        self.stdout.write(
            f"Preset {result.preset}: {result.accounts_created} account(s), "
            f"{result.mappings_created} mapping(s), {result.currency_rules_created} currency "
            "rule(s) created."
        )
