"""Savings deposits at the counter per second, through the service layer.

    python bench/teller.py [--n 5000] [--no-pg]

One operation = ``mupaka.savings.services.savings_deposit`` (cash, the teller's open
till), each in its own transaction and commit, exactly as the teller screen and the API
call it: the idempotency check on the key, the account row locked and checked (status,
currency, KYC tier limits), the till line (``till_cash_line``: open till, currency
held), the balance and the savings transaction with its running balance, the journal
entry (2 lines, hash chain, running balances, day totals, audit row) and the link
between the two. 500 members, each with a USD and a CDF account, deposits spread
over them (two thirds USD).

Measured:

* service, SQLite (WAL, a temporary file database, freshly migrated), twice: with
  ``synchronous=FULL`` (the settings' default: each commit waits for the disk, so a
  committed deposit survives a power cut) and with ``synchronous=NORMAL``
  (``MUPAKA_SQLITE_SYNCHRONOUS=NORMAL``: the software path without the disk wait);
* service, PostgreSQL 15 (a throwaway cluster from scripts/pg_throwaway.py; skipped with
  a note if it cannot start);
* baseline: the same rows written with raw ``sqlite3`` (no Django, no checks, no
  triggers), one commit per operation, in the same run, with the same ``synchronous``;
  on PostgreSQL the same rows with raw ``psycopg`` in a schema of their own, in the
  same cluster and run.

PostgreSQL runs in the throwaway cluster, which is started with fsync and synchronous
commit off (a test cluster): its figure is the software path, not a durable rate.

Target: at least 2,000 deposits/s on SQLite. Each backend runs in a child process.
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
MEMBERS = 500


def _create_pg_database() -> None:
    """The throwaway cluster has no database of the URL's name yet: create it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def child(n: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mupaka.settings")
    _create_pg_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from mupaka.core.models import Branch, Institution, User
    from mupaka.core.money import Money
    from mupaka.ledger.services import chart_load
    from mupaka.ledger.verify import run_checks
    from mupaka.members.models import Member
    from mupaka.savings.models import SavingsTransaction
    from mupaka.savings.services import (
        ProductData,
        savings_account_open,
        savings_deposit,
        savings_product_create,
    )
    from mupaka.tellers.testing import open_till_with_cash

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
    manager = User.objects.create(username="manager", role="manager", branch=branch)
    officer = User.objects.create(username="officer", role="officer", branch=branch)
    chart_load(actor=None, preset="drc")
    products = {
        cur: savings_product_create(
            actor=manager,
            data=ProductData(
                code=f"EV-{cur}",
                name=f"Épargne {cur}",
                kind="voluntary",
                currency=cur,
                interest_rate="3",
            ),
        )
        for cur in ("USD", "CDF")
    }
    members = Member.objects.bulk_create(
        Member(
            branch=branch,
            number=f"BKV-{i:06d}",
            sequence=i,
            first_name="Neema",
            last_name=f"Bench{i}",
            search_name=f"neema bench{i}",
            sex="F",
            birth_date=dt.date(1990, 1, 1),
            status="active",
            registered_date=inst.business_date,
            id_type="voter_card",
            id_number=f"SK-{i:06d}",
        )
        for i in range(1, MEMBERS + 1)
    )
    accounts = {
        cur: [
            savings_account_open(actor=officer, member=mb, product=products[cur]).pk
            for mb in members
        ]
        for cur in ("USD", "CDF")
    }
    open_till_with_cash(
        teller=teller, manager=manager, floats=[Money.of("1000", "USD"), Money.of("100000", "CDF")]
    )
    amounts = {
        "USD": [Money.of(f"{5 + i % 95}.50", "USD") for i in range(100)],
        "CDF": [Money.of(f"{1000 * (1 + i % 50)}", "CDF") for i in range(100)],
    }

    def run(i: int):
        cur = "USD" if i % 3 else "CDF"
        return savings_deposit(
            actor=teller,
            account=accounts[cur][i % MEMBERS],
            amount=amounts[cur][i % 100],
            idempotency_key=f"bench-{i}",
        )

    for i in range(50):  # warm-up
        run(i)
    profile = None
    if os.environ.get("BENCH_PROFILE"):  # python bench/teller.py --child with BENCH_PROFILE=1
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    started = time.perf_counter()
    for i in range(50, 50 + n):
        run(i)
    elapsed = time.perf_counter() - started
    if profile is not None:
        import pstats

        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats(
            os.environ.get("BENCH_SORT", "cumulative")
        ).print_stats(60)
    failed = [r.name for r in run_checks() if not r.ok]
    replay = run(50)
    assert replay.replayed and SavingsTransaction.objects.count() == 50 + n, "a replay moved money"
    result = {
        "vendor": connection.vendor,
        "n": n,
        "seconds": elapsed,
        "ops": n / elapsed,
        "verify": not failed,
        "failed": failed,
    }
    if connection.vendor == "postgresql":
        result["raw"] = baseline_pg(n)
    return result


def spawn(n: int, *, pg: bool = False, sync: str = "FULL") -> dict | None:
    var = tempfile.mkdtemp(prefix="mupaka-bench-")
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="mupaka.settings",
        MUPAKA_VAR_DIR=var,
        MUPAKA_SQLITE_SYNCHRONOUS=sync,
    )
    env.pop("MUPAKA_TESTING", None)
    args = [sys.executable, __file__, "--child", "--n", str(n)]
    if pg:
        env.pop("DATABASE_URL", None)
        cmd = [sys.executable, str(ROOT / "scripts" / "pg_throwaway.py"), "--", *args]
    else:
        env["DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
        cmd = args
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-3000:])
    return None


# --- baseline: the same rows with raw sqlite3 ------------------------------------------------
BASELINE_SCHEMA = """
CREATE TABLE account (id INTEGER PRIMARY KEY, number TEXT UNIQUE, member_id INT, currency TEXT,
  status TEXT, balance_minor INT, blocked_minor INT, min_balance_minor INT, available_minor INT,
  last_customer_date TEXT);
CREATE TABLE txn (id INTEGER PRIMARY KEY, account_id INT, business_date TEXT, kind TEXT,
  direction TEXT, amount_minor INT, balance_after_minor INT, blocked_after_minor INT,
  entry_id INT, channel TEXT, customer INT, memo TEXT, reference TEXT, idempotency_key TEXT UNIQUE,
  request_digest TEXT, actor_id INT, created_at TEXT);
CREATE INDEX txn_account ON txn(account_id, business_date);
CREATE INDEX txn_entry ON txn(entry_id);
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


def _raw_deposits(db, n: int, *, begin: str, commit: str, ph: str, lock: str) -> float:
    """The rows of ``n`` deposits with plain DB-API calls, one commit each; seconds."""

    def q(sql: str) -> str:
        return sql.replace("?", ph)

    now = "2026-11-27 10:00:00.000000"
    cur = db.cursor()
    started = time.perf_counter()
    for i in range(1, n + 1):
        acct = 1 + i % MEMBERS
        minor = 550 + i % 9500
        if begin:
            cur.execute(begin)
        cur.execute(q("SELECT id FROM txn WHERE idempotency_key = ?"), (f"bench-{i}",))
        cur.fetchone()
        cur.execute(
            q(
                "SELECT status, balance_minor, blocked_minor, min_balance_minor FROM account "
                "WHERE id = ?" + lock
            ),
            (acct,),
        )
        bal = cur.fetchone()
        new = bal[1] + minor
        cur.execute(
            q(
                "UPDATE account SET balance_minor = ?, available_minor = ?, "
                "last_customer_date = ? WHERE id = ?"
            ),
            (new, new - bal[2] - bal[3], "2026-11-27", acct),
        )
        cur.execute(
            q(
                "INSERT INTO txn (account_id, business_date, kind, direction, amount_minor, "
                "balance_after_minor, blocked_after_minor, channel, customer, memo, reference, "
                "idempotency_key, request_digest, actor_id, created_at) VALUES "
                "(?, '2026-11-27', 'deposit', 'in', ?, ?, 0, 'cash', 1, 'Dépôt', '', ?, '', 1, ?) "
                "RETURNING id"
            ),
            (acct, minor, new, f"bench-{i}", now),
        )
        txn = cur.fetchone()[0]
        cur.execute(
            q(
                "INSERT INTO line (entry_id, line_no, business_date, account_id, currency, "
                "debit_minor, credit_minor, member_id, subledger_type, subledger_id, memo) VALUES "
                "(?, 1, '2026-11-27', 1, 'USD', ?, 0, ?, 'tellers.till', '1', 'Dépôt'), "
                "(?, 2, '2026-11-27', 2, 'USD', 0, ?, ?, 'savings.account', ?, 'Dépôt')"
            ),
            (i, minor, acct, i, minor, acct, str(acct)),
        )
        cur.execute(
            q(
                "INSERT INTO entry VALUES (?, '2026-11-27', ?, 1, 1, ?, 'savings.deposit', ?, ?, "
                "'', '', ?)"
            ),
            (i, now, f"Dépôt compte {acct}", str(txn), f"savings.deposit:bench-{i}", f"{i:064d}"),
        )
        cur.execute(
            q(
                "INSERT INTO audit (at, actor_id, action, object_type, object_id, object_repr, "
                "after) VALUES (?, 1, 'journal.post', 'ledger.journalentry', ?, ?, '{}')"
            ),
            (now, str(i), f"#{i}"),
        )
        for account, debit, credit in ((1, minor, 0), (2, 0, minor)):
            cur.execute(
                q(
                    "INSERT INTO balance (account_id, currency, debit_minor, credit_minor) "
                    "VALUES (?, 'USD', ?, ?) ON CONFLICT (account_id, currency) DO UPDATE SET "
                    "debit_minor = balance.debit_minor + excluded.debit_minor, "
                    "credit_minor = balance.credit_minor + excluded.credit_minor"
                ),
                (account, debit, credit),
            )
            cur.execute(
                q(
                    "INSERT INTO daytotal (account_id, currency, business_date, debit_minor, "
                    "credit_minor) VALUES (?, 'USD', '2026-11-27', ?, ?) ON CONFLICT "
                    "(account_id, currency, business_date) DO UPDATE SET "
                    "debit_minor = daytotal.debit_minor + excluded.debit_minor, "
                    "credit_minor = daytotal.credit_minor + excluded.credit_minor"
                ),
                (account, debit, credit),
            )
        cur.execute(q("UPDATE txn SET entry_id = ? WHERE id = ?"), (i, txn))
        if commit:
            cur.execute(commit)
        else:
            db.commit()
    return time.perf_counter() - started


def _seed_accounts(cur, ph: str) -> None:
    cur.executemany(
        f"INSERT INTO account VALUES ({ph}, {ph}, {ph}, 'USD', 'active', 0, 0, 0, 0, '2026-11-27')",
        [(i, f"BKV-{i:06d}-01", i) for i in range(1, MEMBERS + 1)],
    )


def baseline(n: int, sync: str = "FULL") -> dict:
    folder = tempfile.mkdtemp(prefix="mupaka-bench-raw-")
    db = sqlite3.connect(f"{folder}/raw.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={sync}")
    db.executescript(BASELINE_SCHEMA)
    _seed_accounts(db.cursor(), "?")
    seconds = _raw_deposits(db, n, begin="BEGIN IMMEDIATE", commit="COMMIT", ph="?", lock="")
    db.close()
    return {"vendor": "sqlite3 (raw)", "n": n, "seconds": seconds, "ops": n / seconds}


def baseline_pg(n: int) -> dict:
    """The same rows with raw psycopg in a schema of its own, in the same cluster."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url) as db:
        db.execute("DROP SCHEMA IF EXISTS bench_raw CASCADE")
        db.execute("CREATE SCHEMA bench_raw")
        db.execute("SET search_path TO bench_raw")
        for statement in BASELINE_SCHEMA.replace(
            "INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY"
        ).split(";"):
            if statement.strip():
                db.execute(statement)
        _seed_accounts(db.cursor(), "%s")
        db.commit()
        seconds = _raw_deposits(db, n, begin="", commit="", ph="%s", lock=" FOR UPDATE")
        db.execute("DROP SCHEMA bench_raw CASCADE")
        db.commit()
    return {"vendor": "psycopg (raw)", "n": n, "seconds": seconds, "ops": n / seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.n)), flush=True)
        return 0

    print(
        f"Savings deposits at the counter: {args.n} operations, one commit each "
        f"(target ≥ {TARGET:,}/s on SQLite)"
    )
    results = {}
    for sync in ("FULL", "NORMAL"):
        results[sync] = (baseline(args.n, sync), spawn(args.n, sync=sync))
    pg = None if args.no_pg else spawn(args.n, pg=True)

    def show(label: str, result: dict | None, raw: dict | None, note: str = "") -> None:
        if result is None:
            print(f"  {label:<50} skipped {note}")
            return
        extra = ""
        if "verify" in result:
            extra = "  verify OK" if result["verify"] else f"  verify FAILED {result['failed']}"
        ratio = f"  {result['ops'] / raw['ops']:.2f}× raw" if raw else ""
        print(
            f"  {label:<50} {result['ops']:>7,.0f} ops/s  ({result['seconds']:.2f} s){ratio}{extra}"
        )

    for sync, (raw, service) in results.items():
        show(f"raw sqlite3, same rows, synchronous={sync}", raw, None)
        show(f"savings_deposit on SQLite, synchronous={sync}", service, raw)
    if pg is not None:
        show("raw psycopg, same rows, PostgreSQL 15", pg.get("raw"), None)
    show(
        "savings_deposit on PostgreSQL 15",
        pg,
        pg.get("raw") if pg else None,
        "(--no-pg)" if args.no_pg else "(PostgreSQL could not start: see above)",
    )
    full, normal = results["FULL"][1], results["NORMAL"][1]
    if full is None or normal is None:
        return 1
    for sync, service in (("FULL", full), ("NORMAL", normal)):
        verdict = "meets" if service["ops"] >= TARGET else "MISSES"
        print(
            f"SQLite (synchronous={sync}): {service['ops']:,.0f} deposits/s {verdict} the "
            f"target of {TARGET:,}/s."
        )
    return 0 if full["verify"] and normal["verify"] and (pg is None or pg["verify"]) else 1


if __name__ == "__main__":
    sys.exit(main())
