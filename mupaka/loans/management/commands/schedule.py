"""``mupaka schedule``: a thin wrapper over :mod:`mupaka.loans.domain.cli`.

The pure module owns the arguments, the output and the exit codes (2 for bad arguments), so
this command hands it the raw arguments instead of letting Django parse them.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand

from mupaka.loans.domain.cli import main


class Command(BaseCommand):
    help = "Print the repayment schedule of a loan, with its APR and EIR (see --help)."

    def run_from_argv(self, argv: list[str]) -> None:
        # argv is [program, "schedule", *arguments]
        code = main(argv[2:], stdout=sys.stdout, stderr=sys.stderr)
        if code:
            sys.exit(code)

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("arguments", nargs=argparse.REMAINDER, help="see --help")

    def handle(self, *args: Any, **options: Any) -> None:
        """For ``call_command("schedule", "--principal", "100", ...)``."""
        code = main(list(options.get("arguments") or args), stdout=self.stdout, stderr=self.stderr)
        if code:
            sys.exit(code)
