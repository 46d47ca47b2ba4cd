import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from mupaka.core.exceptions import MupakaError
from mupaka.core.selectors import business_date_get
from mupaka.core.services import business_date_set


class Command(BaseCommand):
    help = "`mupaka business-date show` or `mupaka business-date set YYYY-MM-DD` (new institution or demo)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["show", "set"])
        parser.add_argument("date", nargs="?")

    def handle(self, *args, action: str, date: str | None, **opts):
        try:
            if action == "show":
                self.stdout.write(business_date_get().isoformat())
                return
            if not date:
                raise CommandError("Give the date: mupaka business-date set YYYY-MM-DD")
            try:
                new_date = dt.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"Not a date (YYYY-MM-DD): {date!r}")
            inst = business_date_set(actor=None, new_date=new_date)
            self.stdout.write(f"Business date is now {inst.business_date.isoformat()}")
        except MupakaError as exc:
            raise CommandError(exc.message)
