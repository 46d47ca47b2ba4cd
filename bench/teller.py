"""Savings deposits at the counter per second, through the service layer.

    python bench/teller.py [--n 5000] [--tellers 8] [--no-pg]

One operation = ``mupaka.savings.services.savings_deposit`` (cash, the teller's open
till), exactly as the teller screen and the API call it: the idempotency check on the
key, the account row locked and checked (status, currency, KYC tier limits), the till
line (``till_cash_line``: open till, currency held), the balance and the savings
transaction with its running balance, the journal entry (2 lines, hash chain, running
balances, day totals, audit row) and the link between the two. 500 members, each with
a USD and a CDF account, deposits spread over them (two thirds USD).

Two loads, each on a freshly migrated database:

* one teller: one deposit after the other, each in its own transaction and commit;
* ``--tellers`` tellers at once (8 by default, the request threads of one server
  process): each in its own thread with its own connection, as many deposits as they
  can. On SQLite the deposits that arrive while a commit is in progress share the next
  one (group commit, ``mupaka/core/commit_group.py``): the figure the target is about,
  since a server takes many tellers' operations at once. The number of groups is
  printed: fewer groups than deposits means commits were shared.

Measured:

* SQLite (WAL, a file database) twice: with ``synchronous=FULL`` (the settings'
  default: each commit waits for the disk, so a committed deposit survives a power
  cut) and with ``synchronous=NORMAL`` (``MUPAKA_SQLITE_SYNCHRONOUS=NORMAL``: the
  software path without the disk wait);
* PostgreSQL 15 (a throwaway cluster from scripts/pg_throwaway.py; skipped with a note
  if it cannot start), where group commit is off by default: its transactions commit
  side by side. The throwaway cluster runs with fsync and synchronous commit off (a
  test cluster): its figure is the software path, not a durable rate;
* baselines in the same run: the same rows written with raw ``sqlite3`` (no Django,
  no checks, no triggers) with the same ``synchronous``, one commit per deposit and
  one commit per ``--tellers`` deposits (the best grouping the service could get); on
  PostgreSQL the same rows with raw ``psycopg`` in a schema of their own.

Target: at least 2,000 deposits/s on SQLite (``synchronous=FULL``, tellers at once).
Each measurement runs in a child process.
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


def child(n: int, tellers: int = 1) -> dict:
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
    counter = [teller] + [
        User.objects.create(username=f"teller{t}", role="teller", branch=branch)
        for t in range(1, tellers)
    ]
    for user in counter:  # each teller her own till, as at a real counter
        open_till_with_cash(
            teller=user,
            manager=manager,
            floats=[Money.of("1000", "USD"), Money.of("100000", "CDF")],
        )
    amounts = {
        "USD": [Money.of(f"{5 + i % 95}.50", "USD") for i in range(100)],
        "CDF": [Money.of(f"{1000 * (1 + i % 50)}", "CDF") for i in range(100)],
    }

    def run(i: int, teller=teller):
        cur = "USD" if i % 3 else "CDF"
        return savings_deposit(
            actor=teller,
            account=accounts[cur][i % MEMBERS],
            amount=amounts[cur][i % 100],
            idempotency_key=f"bench-{i}",
        )

    for i in range(50):  # warm-up
        run(i)
    if tellers > 1:
        return _concurrent(run, n, counter)
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


def _concurrent(run, n: int, counter: list) -> dict:
    """``n`` deposits by the tellers of ``counter`` at once, each in her own thread."""
    import threading

    from django.db import connection, connections

    from mupaka.core import commit_group
    from mupaka.ledger.verify import run_checks
    from mupaka.savings.models import SavingsTransaction

    tellers = len(counter)
    barrier = threading.Barrier(tellers + 1)
    errors: list[BaseException] = []

    def teller_thread(t: int) -> None:
        barrier.wait()
        try:
            for i in range(50 + t, 50 + n, tellers):
                run(i, counter[t])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=teller_thread, args=(t,)) for t in range(tellers)]
    for th in threads:
        th.start()
    g0 = commit_group.stats()
    barrier.wait()
    started = time.perf_counter()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - started
    g1 = commit_group.stats()
    assert not errors, errors
    failed = [r.name for r in run_checks() if not r.ok]
    assert SavingsTransaction.objects.count() == 50 + n
    return {
        "vendor": connection.vendor,
        "n": n,
        "tellers": tellers,
        "groups": g1[0] - g0[0] if commit_group.enabled() else n,
        "seconds": elapsed,
        "ops": n / elapsed,
        "verify": not failed,
        "failed": failed,
    }


def spawn(n: int, *, pg: bool = False, sync: str = "FULL", tellers: int = 1) -> dict | None:
    var = tempfile.mkdtemp(prefix="mupaka-bench-")
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="mupaka.settings",
        MUPAKA_VAR_DIR=var,
        MUPAKA_SQLITE_SYNCHRONOUS=sync,
    )
    env.pop("MUPAKA_TESTING", None)
    args = [sys.executable, __file__, "--child", "--n", str(n), "--tellers", str(tellers)]
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


def _raw_deposits(
    db, n: int, *, begin: str, commit: str, ph: str, lock: str, per_commit: int = 1
) -> float:
    """The rows of ``n`` deposits with plain DB-API calls, a commit every ``per_commit``
    deposits; seconds."""

    def q(sql: str) -> str:
        return sql.replace("?", ph)

    now = "2026-11-27 10:00:00.000000"
    cur = db.cursor()
    started = time.perf_counter()
    for i in range(1, n + 1):
        acct = 1 + i % MEMBERS
        minor = 550 + i % 9500
        first, last = (i - 1) % per_commit == 0, i % per_commit == 0 or i == n
        if begin and first:
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
        if not last:
            continue
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


def baseline(n: int, sync: str = "FULL", per_commit: int = 1) -> dict:
    folder = tempfile.mkdtemp(prefix="mupaka-bench-raw-")
    db = sqlite3.connect(f"{folder}/raw.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={sync}")
    db.executescript(BASELINE_SCHEMA)
    _seed_accounts(db.cursor(), "?")
    seconds = _raw_deposits(
        db, n, begin="BEGIN IMMEDIATE", commit="COMMIT", ph="?", lock="", per_commit=per_commit
    )
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
    parser.add_argument("--tellers", type=int, default=8, help="tellers at once (default 8)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.n, args.tellers)), flush=True)
        return 0

    t = max(args.tellers, 2)
    print(
        f"Savings deposits at the counter: {args.n} deposits, by one teller and by {t} "
        f"tellers at once (target ≥ {TARGET:,}/s on SQLite)"
    )
    sqlite = {}
    for sync in ("FULL", "NORMAL"):
        sqlite[sync] = {
            "raw1": baseline(args.n, sync),
            "rawT": baseline(args.n, sync, per_commit=t),
            "one": spawn(args.n, sync=sync),
            "many": spawn(args.n, sync=sync, tellers=t),
        }
    pg_one = pg_many = None
    if not args.no_pg:
        pg_one = spawn(args.n, pg=True)
        pg_many = spawn(args.n, pg=True, tellers=t) if pg_one is not None else None

    def show(label: str, result: dict | None, raw: dict | None, note: str = "") -> None:
        if result is None:
            print(f"  {label:<58} skipped {note}")
            return
        extra = ""
        if "groups" in result:
            extra += f"  {result['groups']:,} commits"
        if "verify" in result:
            extra += "  verify OK" if result["verify"] else f"  verify FAILED {result['failed']}"
        ratio = f"  {result['ops'] / raw['ops']:.2f}× raw" if raw else ""
        print(
            f"  {label:<58} {result['ops']:>7,.0f} ops/s  ({result['seconds']:.2f} s){ratio}{extra}"
        )

    for sync, r in sqlite.items():
        print(f"SQLite, synchronous={sync}")
        show("raw sqlite3, same rows, a commit per deposit", r["raw1"], None)
        show(f"raw sqlite3, same rows, a commit per {t} deposits", r["rawT"], None)
        show("savings_deposit, one teller", r["one"], r["raw1"])
        show(f"savings_deposit, {t} tellers at once (group commit)", r["many"], r["rawT"])
    print("PostgreSQL 15")
    note = "(--no-pg)" if args.no_pg else "(PostgreSQL could not start: see above)"
    if pg_one is not None:
        show("raw psycopg, same rows, a commit per deposit", pg_one.get("raw"), None)
    show("savings_deposit, one teller", pg_one, pg_one.get("raw") if pg_one else None, note)
    show(f"savings_deposit, {t} tellers at once", pg_many, None, note)
    runs = [r[k] for r in sqlite.values() for k in ("one", "many")] + [
        x for x in (pg_one, pg_many) if x is not None
    ]
    if any(r is None for r in runs):
        return 1
    for sync in ("FULL", "NORMAL"):
        many = sqlite[sync]["many"]
        verdict = "meets" if many["ops"] >= TARGET else "MISSES"
        print(
            f"SQLite (synchronous={sync}, {t} tellers at once): {many['ops']:,.0f} deposits/s "
            f"{verdict} the target of {TARGET:,}/s."
        )
    return 0 if all(r["verify"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
