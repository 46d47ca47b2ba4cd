from django.core.management.base import BaseCommand, CommandError

from mupaka.ledger.verify import run_checks


class Command(BaseCommand):
    help = (
        "Check that the books are whole: entries balance per currency, the hash chain is "
        "intact, stored balances and day totals equal the lines, and every sub-ledger "
        "registered by an app agrees with its control account. Exits non-zero on a failure."
    )

    def add_arguments(self, parser):
        parser.add_argument("checks", nargs="*", help="run only these checks (default: all)")

    def handle(self, *args, checks: list[str], **opts):
        results = run_checks(checks or None)
        if checks and not results:
            raise CommandError(f"no check is called {', '.join(checks)}")
        failed = 0
        for result in results:
            if result.ok:
                self.stdout.write(f"OK    {result.name}")
                continue
            failed += 1
            self.stdout.write(f"FAIL  {result.name}: {len(result.problems)} problem(s)")
            for problem in result.problems:
                self.stdout.write(f"      - {problem}")
        self.stdout.write(f"{len(results) - failed}/{len(results)} checks passed.")
        if failed:
            raise CommandError(f"{failed} check(s) failed", returncode=1)
