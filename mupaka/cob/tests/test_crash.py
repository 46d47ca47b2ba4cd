"""End of day killed and run again, in real processes (`mupaka cob`), against a database
of its own: the day completes with nothing posted twice or missing — the books come out
identical to those of an end of day that was never interrupted — and `mupaka verify` is
green. While one run holds the date, a second run and a teller's posting are refused.

The database is a copy of the migrated test database (SQLite: the backup API; PostgreSQL:
CREATE DATABASE ... TEMPLATE), filled by `mupaka shell` with `build_scenario()`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
MUPAKA = [sys.executable, "-c", "from mupaka.cli import main; main()"]
UNTIL = "2026-12-01"  # Fri 27, Sat 28, (Sunday), Mon 30 = month end, Tue 1 December

pytestmark = pytest.mark.django_db(transaction=True)


class Scratch:
    """Databases of their own for processes to share (created from the empty, migrated
    test database), dropped at the end."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.vendor = connection.vendor
        self.created: list[str] = []
        self.settings = dict(connection.settings_dict)

    def url(self, name: str) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{self.tmp / (name + '.sqlite3')}"
        s = self.settings
        return f"postgres://{s['USER']}:{s.get('PASSWORD') or ''}@{s['HOST']}:{s['PORT']}/{name}"

    def _pg(self, sql: str) -> None:
        import psycopg

        s = self.settings
        with psycopg.connect(
            host=s["HOST"], port=s["PORT"], user=s["USER"], password=s.get("PASSWORD") or None,
            dbname="postgres", autocommit=True,
        ) as conn:  # fmt: skip
            conn.execute(sql)

    def empty(self, name: str) -> str:
        if self.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(self.tmp / f"{name}.sqlite3")
            connection.connection.backup(target)
            target.close()
        else:
            connection.close()
            self._pg(f'CREATE DATABASE "{name}" TEMPLATE "{self.settings["NAME"]}"')
            self.created.append(name)
        return name

    def copy(self, source: str, name: str) -> str:
        if self.vendor == "sqlite":
            shutil.copy(self.tmp / f"{source}.sqlite3", self.tmp / f"{name}.sqlite3")
        else:
            self._pg(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
            self.created.append(name)
        return name

    def drop(self) -> None:
        for name in reversed(self.created):
            self._pg(f'DROP DATABASE IF EXISTS "{name}"')

    def env(self, name: str, **extra) -> dict:
        env = dict(os.environ)
        env.pop("MUPAKA_COB_TEST_CRASH", None)
        env.pop("MUPAKA_COB_TEST_SLEEP", None)
        env.update(
            DATABASE_URL=self.url(name),
            MUPAKA_VAR_DIR=str(self.tmp / "var"),
            DJANGO_SETTINGS_MODULE="mupaka.settings",
            PYTHONPATH=str(ROOT),
            **extra,
        )
        return env

    def run(
        self, name: str, *args: str, check: bool = True, **extra
    ) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [*MUPAKA, *args],
            env=self.env(name, **extra),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"mupaka {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result

    def shell(self, name: str, code: str) -> str:
        return self.run(name, "shell", "-c", code).stdout

    def state(self, name: str) -> dict:
        out = self.shell(
            name,
            "import json; from mupaka.cob.testing import dump_state; print(json.dumps(dump_state()))",
        )
        return json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def scratch(tmp_path):
    s = Scratch(tmp_path)
    (tmp_path / "var").mkdir()
    tag = uuid.uuid4().hex[:8]
    base = s.empty(f"cob_base_{tag}")
    s.shell(base, "from mupaka.cob.testing import build_scenario; build_scenario()")
    s.base = base
    s.tag = tag
    yield s
    s.drop()


def _verify_green(s: Scratch, name: str) -> None:
    result = s.run(name, "verify", check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _diff(a: dict, b: dict) -> list[str]:
    return [k for k in a if a[k] != b[k]]


def test_killed_at_many_points_then_rerun_gives_the_same_books(scratch):
    s = scratch
    reference = s.copy(s.base, f"cob_ref_{s.tag}")
    s.run(reference, "cob", "--until", UNTIL, "--quiet")
    expected = s.state(reference)
    assert expected["business_date"] == "2026-12-02"
    _verify_green(s, reference)

    crashed = s.copy(s.base, f"cob_crash_{s.tag}")
    points = [
        "loan_interest_accrual:mid",  # inside the step's transaction, before posting
        "loan_penalties:commit",  # work and "done" row written, not committed
        "loan_provisions:commit",  # provision entries written, not committed
        "portfolio_snapshot:after",  # just after the snapshot committed
        "business_date_move:mid",  # the date moved, not committed
        "savings_interest:mid",  # second date (first one is done): month-end interest
        "loan_arrears_ageing:before",
    ]
    for point in points:
        result = s.run(
            crashed, "cob", "--until", UNTIL, "--quiet", check=False, MUPAKA_COB_TEST_CRASH=point
        )
        assert result.returncode == 77, (point, result.stdout, result.stderr)
        assert f"COB-CRASH {point}" in result.stdout
    s.run(crashed, "cob", "--until", UNTIL, "--quiet")
    got = s.state(crashed)
    assert _diff(expected, got) == []
    _verify_green(s, crashed)


def test_kill_9_while_running_refuses_others_then_the_rerun_completes(scratch):
    s = scratch
    reference = s.copy(s.base, f"cob_ref9_{s.tag}")
    s.run(reference, "cob", "--quiet")
    expected = s.state(reference)

    name = s.copy(s.base, f"cob_kill_{s.tag}")
    proc = subprocess.Popen(
        [*MUPAKA, "cob", "--quiet"],
        env=s.env(name, MUPAKA_COB_TEST_SLEEP="loan_provisions:before:120"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert "COB-SLEEPING loan_provisions:before" in line, line + proc.stderr.read()
        # a second end of day is refused while the first is alive
        second = s.run(name, "cob", "--quiet", check=False)
        assert second.returncode != 0
        assert "already running" in second.stderr or "déjà en cours" in second.stderr
        # a teller's posting dated the closing date is refused
        out = s.shell(
            name,
            "from mupaka.core.money import Money\n"
            "from mupaka.core.exceptions import ValidationFailed\n"
            "from mupaka.ledger.services import LineSpec, journal_post\n"
            "import datetime as dt\n"
            "try:\n"
            "    journal_post(actor=None, business_date=dt.date(2026, 11, 27), narrative='x',"
            " lines=[LineSpec.dr('5200-USD', Money.of('1', 'USD')), LineSpec.cr('7020-USD', Money.of('1', 'USD'))],"
            " source_type='test', idempotency_key='teller-during-cob')\n"
            "    print('POSTED')\n"
            "except ValidationFailed as exc:\n"
            "    print('REFUSED', exc.code)\n",
        )
        assert "REFUSED cob_running" in out
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    # killed inside a step's open transaction, this time
    proc = subprocess.Popen(
        [*MUPAKA, "cob", "--quiet"],
        env=s.env(name, MUPAKA_COB_TEST_SLEEP="portfolio_snapshot:mid:120"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        line = ""
        while "COB-SLEEPING" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
        assert "COB-SLEEPING portfolio_snapshot:mid" in line
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()

    s.run(name, "cob", "--quiet")
    got = s.state(name)
    assert _diff(expected, got) == []
    _verify_green(s, name)
