"""Teller-like postings per second through the ledger's one posting service.

    python bench/ledger_post.py [--n 5000] [--no-pg]

One operation = one deposit at the counter, each in its own transaction and commit:
a journal entry with 2 lines (till cash / member savings, with the member reference),
the idempotency check on the entry's key, the audit row, the running balance and the
day total of both accounts (upserts). Measured:

* service, SQLite (WAL, synchronous as in settings: FULL unless MUPAKA_SQLITE_SYNCHRONOUS says otherwise, a temporary file database, freshly migrated);
* service, PostgreSQL 15 (a throwaway cluster from scripts/pg_throwaway.py; skipped with a
  note if it cannot start);
* the same operation wrapped in core's ``idempotent(...)`` as loans/savings/tellers will
  call it (one more record per operation), on SQLite;
* baseline: the same rows written with raw ``sqlite3`` (no Django, no checks, no
  triggers), one commit per operation, in the same run.

Target: at least 2,000 operations/s on SQLite on a 2-core machine. Each backend runs in a
child process (Django is configured once per process).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET = 2_000


# --- child: one backend through the service ----------------------------------------------
def _create_pg_database(url: str) -> None:
    """pg_throwaway's cluster has no "mupaka" database yet: create it."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def child(n: int, wrapped: bool) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mupaka.settings")
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        _create_pg_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from mupaka.core.idempotency import idempotent
    from mupaka.core.models import Branch, Institution, User
    from mupaka.core.money import Money
    from mupaka.ledger.models import JournalEntry
    from mupaka.ledger.selectors import account_for
    from mupaka.ledger.services import LineSpec, chart_load, journal_post
    from mupaka.ledger.verify import LEDGER_CHECKS, run_checks

    call_command("migrate", verbosity=0)
    inst = Institution.objects.create(
        name="Bench",
        country="CD",
        base_currency="USD",
        accepted_currencies=["USD", "CDF"],
        regulatory_preset="drc",
        business_date=dt.date(2026, 11, 27),
    )
    branch = Branch.objects.create(institution=inst, code="BKV", name="Bukavu", country="CD")
    teller = User.objects.create(username="teller", role="teller", branch=branch)
    chart_load(actor=None, preset="drc")
    till = {c: account_for("till_cash", c) for c in ("USD", "CDF")}
    savings = {c: account_for("savings_deposits", c) for c in ("USD", "CDF")}
    amounts = {
        "USD": [Money.of(f"{5 + i % 95}.50", "USD") for i in range(100)],
        "CDF": [Money.of(f"{1000 * (1 + i % 50)}", "CDF") for i in range(100)],
    }

    def operation(i: int):
        cur = "USD" if i % 3 else "CDF"
        amount = amounts[cur][i % 100]
        member = 1000 + i % 500
        return journal_post(
            actor=teller,
            business_date=inst.business_date,
            narrative=f"Dépôt épargne membre {member}",
            lines=[
                LineSpec.dr(till[cur], amount),
                LineSpec.cr(
                    savings[cur],
                    amount,
                    member_id=member,
                    subledger_type="savings.account",
                    subledger_id=member,
                ),
            ],
            source_type="savings.deposit",
            source_id=i,
            idempotency_key=f"bench-{i}:journal" if wrapped else f"bench-{i}",
            branch=branch,
        )

    def run(i: int):
        if not wrapped:
            return operation(i)
        return idempotent(
            key=f"bench-{i}",
            scope="savings.deposit",
            actor=teller,
            payload={"i": i},
            run=lambda: {"entry": operation(i).number},
        )

    for i in range(50):  # warm-up (caches, prepared plans)
        run(i)
    started = time.perf_counter()
    for i in range(50, 50 + n):
        run(i)
    elapsed = time.perf_counter() - started
    ok = all(r.ok for r in run_checks(LEDGER_CHECKS))  # other apps check their own sub-ledgers
    replay = run(50)  # a replay posts nothing
    assert JournalEntry.objects.count() == 50 + n, "a replay posted twice"
    del replay
    return {
        "vendor": connection.vendor,
        "n": n,
        "seconds": elapsed,
        "ops": n / elapsed,
        "verify": ok,
    }


def spawn(
    n: int, database_url: str | None, *, wrapped: bool = False, pg: bool = False
) -> dict | None:
    var = tempfile.mkdtemp(prefix="mupaka-bench-")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="mupaka.settings", MUPAKA_VAR_DIR=var)
    env.pop("MUPAKA_TESTING", None)
    args = [sys.executable, __file__, "--child", "--n", str(n)] + (["--wrapped"] if wrapped else [])
    if pg:
        env.pop("DATABASE_URL", None)
        cmd = [sys.executable, str(ROOT / "scripts" / "pg_throwaway.py"), "--", *args]
    else:
        env["DATABASE_URL"] = database_url or f"sqlite:///{var}/bench.sqlite3"
        cmd = args
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-3000:])
    return None


# --- baseline: raw sqlite3 ------------------------------------------------------------------
BASELINE_SCHEMA = """
CREATE TABLE entry (number INTEGER PRIMARY KEY, business_date TEXT, posted_at TEXT, actor_id INT,
  branch_id INT, narrative TEXT, source_type TEXT, source_id TEXT, idempotency_key TEXT UNIQUE,
  request_digest TEXT, prev_hash TEXT, hash TEXT);
CREATE TABLE line (id INTEGER PRIMARY KEY, entry_id INT, line_no INT, business_date TEXT,
  account_id INT, currency TEXT, debit_minor INT, credit_minor INT, member_id INT,
  subledger_type TEXT, subledger_id TEXT, memo TEXT);
CREATE INDEX line_entry ON line(entry_id);
CREATE INDEX line_account ON line(account_id, business_date, entry_id);
CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT, actor_id INT, action TEXT, object_type TEXT,
  object_id TEXT, object_repr TEXT, after TEXT);
CREATE TABLE balance (id INTEGER PRIMARY KEY, account_id INT, currency TEXT, debit_minor INT,
  credit_minor INT, UNIQUE(account_id, currency));
CREATE TABLE daytotal (id INTEGER PRIMARY KEY, account_id INT, currency TEXT, business_date TEXT,
  debit_minor INT, credit_minor INT, UNIQUE(account_id, currency, business_date));
"""


def baseline(n: int) -> dict:
    folder = tempfile.mkdtemp(prefix="mupaka-bench-raw-")
    db = sqlite3.connect(f"{folder}/raw.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={os.environ.get('MUPAKA_SQLITE_SYNCHRONOUS', 'FULL')}")
    db.executescript(BASELINE_SCHEMA)
    now = "2026-11-27 10:00:00.000000"
    started = time.perf_counter()
    for i in range(1, n + 1):
        minor = 550 + i % 9500
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO line (entry_id, line_no, business_date, account_id, currency, debit_minor, "
            "credit_minor, member_id, subledger_type, subledger_id, memo) VALUES "
            "(?, 1, '2026-11-27', 1, 'USD', ?, 0, NULL, '', '', ''), "
            "(?, 2, '2026-11-27', 2, 'USD', 0, ?, ?, 'savings.account', ?, '')",
            (i, minor, i, minor, i % 500, str(i % 500)),
        )
        db.execute(
            "INSERT INTO entry VALUES (?, '2026-11-27', ?, 1, 1, ?, 'savings.deposit', ?, ?, '', '', ?)",
            (i, now, f"Dépôt épargne membre {i % 500}", str(i), f"bench-{i}", f"{i:064d}"),
        )
        db.execute(
            "INSERT INTO audit (at, actor_id, action, object_type, object_id, object_repr, after) "
            "VALUES (?, 1, 'journal.post', 'ledger.journalentry', ?, ?, '{}')",
            (now, str(i), f"#{i}"),
        )
        for account, debit, credit in ((1, minor, 0), (2, 0, minor)):
            db.execute(
                "INSERT INTO balance (account_id, currency, debit_minor, credit_minor) VALUES (?, 'USD', ?, ?) "
                "ON CONFLICT (account_id, currency) DO UPDATE SET debit_minor = debit_minor + excluded.debit_minor, "
                "credit_minor = credit_minor + excluded.credit_minor",
                (account, debit, credit),
            )
            db.execute(
                "INSERT INTO daytotal (account_id, currency, business_date, debit_minor, credit_minor) "
                "VALUES (?, 'USD', '2026-11-27', ?, ?) ON CONFLICT (account_id, currency, business_date) "
                "DO UPDATE SET debit_minor = debit_minor + excluded.debit_minor, "
                "credit_minor = credit_minor + excluded.credit_minor",
                (account, debit, credit),
            )
        db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return {"vendor": "sqlite3 (raw)", "n": n, "seconds": elapsed, "ops": n / elapsed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--wrapped", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.n, args.wrapped)), flush=True)
        return 0

    print(
        f"Ledger posting: {args.n} teller-like operations, one commit each (target ≥ {TARGET:,}/s on SQLite)"
    )
    raw = baseline(args.n)
    sqlite = spawn(args.n, None)
    wrapped = spawn(args.n, None, wrapped=True)
    pg = None if args.no_pg else spawn(args.n, None, pg=True)

    def show(label: str, result: dict | None, note: str = "") -> None:
        if result is None:
            print(f"  {label:<44} skipped {note}")
            return
        extra = (
            "" if "verify" not in result else f"  verify {'OK' if result['verify'] else 'FAILED'}"
        )
        ratio = f"  {result['ops'] / raw['ops']:.2f}× raw sqlite3"
        print(
            f"  {label:<44} {result['ops']:>9,.0f} ops/s  ({result['seconds']:.2f} s){ratio}{extra}"
        )

    show("raw sqlite3, same rows, no checks (baseline)", raw)
    show("journal_post on SQLite (WAL)", sqlite)
    show("idempotent(journal_post) on SQLite (WAL)", wrapped)
    show("journal_post on PostgreSQL 15", pg, "(PostgreSQL could not start: see the message above)")
    if sqlite is None:
        return 1
    verdict = "meets" if sqlite["ops"] >= TARGET else "MISSES"
    print(
        f"SQLite service rate {sqlite['ops']:,.0f} ops/s {verdict} the target of {TARGET:,} ops/s."
    )
    return 0 if sqlite["verify"] else 1


if __name__ == "__main__":
    sys.exit(main())
