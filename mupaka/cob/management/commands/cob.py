"""``mupaka cob``: close the business date (end of day); ``--until YYYY-MM-DD`` catches up
every business date up to that day, with a progress bar."""

from __future__ import annotations

import datetime as dt
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from mupaka.cob.selectors import business_date_status, dates_to_close
from mupaka.cob.services import cob_run, cob_run_until
from mupaka.core.exceptions import MupakaError

BAR = 30


class Command(BaseCommand):
    help = "End of day: close the business date and move it to the next working day."

    def add_arguments(self, parser):
        parser.add_argument("--until", help="catch up every business date up to YYYY-MM-DD")
        parser.add_argument(
            "--date",
            help="the date to close (must be the business date; refused otherwise)",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, until: str | None, date: str | None, quiet: bool, **opts):
        try:
            status = business_date_status()
            if until:
                last = self._date(until, "--until")
                dates = (
                    dates_to_close(status.business_date, last)
                    if last >= status.business_date
                    else []
                )
                progress = self._progress(total=max(len(dates), 1), quiet=quiet)
                started = time.monotonic()
                runs = cob_run_until(actor=None, until=last, progress=progress)
            else:
                on_date = self._date(date, "--date") if date else status.business_date
                progress = self._progress(total=1, quiet=quiet)
                started = time.monotonic()
                runs = [cob_run(actor=None, on_date=on_date, progress=progress)]
        except MupakaError as exc:
            raise CommandError(exc.message)
        if not quiet and sys.stdout.isatty():
            self.stdout.write("")
        elapsed = time.monotonic() - started
        for run in runs:
            self.stdout.write(
                f"{run.business_date.isoformat()} closed → business date {run.next_date.isoformat()}"
            )
        self.stdout.write(
            f"End of day: {len(runs)} date(s) closed in {elapsed:.1f} s; "
            f"business date is now {business_date_status().business_date.isoformat()}."
        )

    def _date(self, text: str, option: str) -> dt.date:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"{option}: not a date (YYYY-MM-DD): {text!r}")

    def _progress(self, *, total: int, quiet: bool):
        out = self.stdout
        tty = sys.stdout.isatty()
        seen: list[dt.date] = []

        def report(event: dict) -> None:
            if quiet:
                return
            if event["date"] not in seen:
                seen.append(event["date"])
            done = (len(seen) - 1) + (event["index"] - 1) / event["total"]
            share = min(done / total, 1.0)
            filled = int(share * BAR)
            line = (
                f"[{'#' * filled}{'.' * (BAR - filled)}] {share * 100:5.1f} % "
                f"{event['date'].isoformat()} {event['index']}/{event['total']} {event['label']}"
            )
            if tty:
                out.write("\r" + line.ljust(100), ending="")
                out.flush()
            else:
                out.write(line)

        return report
