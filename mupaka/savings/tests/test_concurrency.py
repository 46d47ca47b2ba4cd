"""Two tellers withdraw USD 60 from an account holding USD 100 (minimum USD 5, fee
USD 0.50) at the same moment, on real parallel connections: exactly one is paid, the
other is refused, the account never goes below its minimum, and the books agree.

PostgreSQL: threads in this process (``SELECT ... FOR UPDATE`` on the account row makes
the second wait, then see the first's withdrawal). SQLite: the same race in a child
process on a file database (the test database is in memory, shared-cache, which refuses
a second writer instead of waiting); there the IMMEDIATE transaction serializes the
writers. Nothing is skipped on either."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from mupaka.savings.tests import race

ROOT = Path(__file__).resolve().parents[3]


def _child_race() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MUPAKA_VAR_DIR")}
    env["DJANGO_SETTINGS_MODULE"] = "mupaka.settings"
    proc = subprocess.run(
        [sys.executable, "-m", "mupaka.savings.tests.race"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise AssertionError(proc.stdout[-2000:] + proc.stderr[-4000:])


@pytest.mark.django_db(transaction=True)
def test_two_tellers_withdrawing_at_once_never_go_below_the_minimum(institution):
    if connection.vendor == "postgresql":
        tellers, account_id = race.setup_world()
        result = race.race(tellers, account_id)
    else:
        result = _child_race()
        assert result["vendor"] == "sqlite"
    assert result["outcomes"] == ["insufficient_available", "paid"], result
    assert result["balance_minor"] == 10000 - 6000 - 50  # USD 39.50
    assert result["available_minor"] == 3450 >= 0
    assert result["failed_checks"] == []
