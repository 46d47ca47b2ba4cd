"""Two tellers withdraw USD 60 from an account holding USD 100 (minimum USD 5, fee
USD 0.50) at the same moment, on real parallel connections: exactly one is paid, the
other is refused, the account never goes below its minimum, and the books agree. And
two tellers serving a tier-0 member at two of her accounts at once can never take her
past her KYC tier's maximum balance nor past her daily withdrawal limit (the limits add
up her other accounts, which the account lock does not cover: the member's limit lock
makes the second teller wait, then count the first one's operation).

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


def _child_race(*args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MUPAKA_VAR_DIR")}
    env["DJANGO_SETTINGS_MODULE"] = "mupaka.settings"
    proc = subprocess.run(
        [sys.executable, "-m", "mupaka.savings.tests.race", *args],
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


@pytest.mark.django_db(transaction=True)
def test_two_tellers_serving_a_tier_zero_member_at_two_accounts_respect_her_limits(
    institution,
):
    if connection.vendor == "postgresql":
        result = race.tier_race()
    else:
        result = _child_race("tier")
        assert result["vendor"] == "sqlite"
    # USD 250 held, USD 40 + 40 asked, USD 300 at most: one deposit taken, one refused
    assert result["deposits"] == ["paid", "tier_max_balance"], result
    assert result["total_after_deposits_minor"] == 29000 <= 30000
    # USD 30 + 30 asked, USD 50 a day at most: one withdrawal paid, one refused
    assert result["withdrawals"] == ["paid", "tier_daily_withdrawal"], result
    assert result["withdrawn_today_minor"] == 3000 <= 5000
    assert result["total_after_withdrawals_minor"] == 29000 - 3000 - 50  # and the fee
    assert result["failed_checks"] == []
