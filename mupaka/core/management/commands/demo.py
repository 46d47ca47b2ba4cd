import time
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mupaka.core.demo import DEMO_PASSWORD, DEMO_USERS, build_core
from mupaka.core.models import Institution


class Command(BaseCommand):
    help = "Create the demo institution (a fictitious COOPEC in Bukavu) with staff and members."

    def add_arguments(self, parser):
        parser.add_argument(
            "--members", type=int, default=200, help="number of members (default 200)"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when an institution already exists"
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, members: int, if_empty: bool, seed: int, **opts):
        if Institution.objects.exists():
            if if_empty:
                self._print_logins(existing=True)
                return
            raise CommandError(
                "An institution already exists; the demo goes into an empty database."
            )
        if members < 0:
            raise CommandError("--members must be zero or more")
        started = time.monotonic()
        with transaction.atomic():
            ctx = build_core(members=members, seed=seed)
            for config in apps.get_app_configs():
                if not config.name.startswith("mupaka.") or config.name == "mupaka.core":
                    continue
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.build(ctx)
        for line in ctx.out:
            self.stdout.write(line)
        self.stdout.write(f"Demo built in {time.monotonic() - started:.1f} s.")
        self._print_logins(existing=False)

    def _print_logins(self, *, existing: bool) -> None:
        if existing:
            self.stdout.write("Database already holds an institution; demo data left as it is.")
        names = ", ".join(DEMO_USERS)
        self.stdout.write(f"Demo logins: {names} — password: {DEMO_PASSWORD}")
