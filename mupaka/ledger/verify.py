"""``mupaka verify``: every check that the books are whole.

The ledger registers its own checks here; other apps add theirs in a module named
``verify_checks`` (found automatically)::

    # mupaka/savings/verify_checks.py
    from mupaka.ledger.verify import register_check

    def savings_match_control() -> list[str]:
        problems = []
        ...  # compare the sum of savings balances with role_balance("savings_deposits", cur)
        return problems            # [] when all is well; one readable line per problem

    register_check("savings.control_accounts", savings_match_control)

A check returns a list of problems (strings); an exception counts as a failure.
"""

from __future__ import annotations

import traceback
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.utils.module_loading import autodiscover_modules

from mupaka.ledger.hashing import GENESIS_HASH, HashLine, entry_hash

Check = Callable[[], list[str]]
_CHECKS: dict[str, Check] = {}
MAX_PROBLEMS = 20


def register_check(name: str, fn: Check) -> None:
    """Add (or replace) the check called ``name``."""
    _CHECKS[name] = fn


def registered_checks() -> dict[str, Check]:
    autodiscover_modules("verify_checks")
    return dict(_CHECKS)


@dataclass(frozen=True)
class CheckResult:
    name: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def run_checks(names: list[str] | None = None) -> list[CheckResult]:
    results = []
    for name, fn in registered_checks().items():
        if names and name not in names:
            continue
        try:
            problems = list(fn())
        except Exception as exc:  # a broken check is a failed check, never a silent pass
            problems = [f"the check crashed: {exc!r}", traceback.format_exc(limit=3)]
        results.append(CheckResult(name, problems))
    return results


def _q(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


# --- the ledger's own checks -------------------------------------------------------------
def check_entries_balance() -> list[str]:
    problems = [
        f"entry {n}: {cur} debits {d} ≠ credits {c} (minor units)"
        for n, cur, d, c in _q(
            "SELECT entry_id, currency, SUM(debit_minor), SUM(credit_minor) FROM ledger_journalline "
            "GROUP BY entry_id, currency HAVING SUM(debit_minor) <> SUM(credit_minor) "
            "ORDER BY entry_id LIMIT %s",
            [MAX_PROBLEMS],
        )
    ]
    problems += [
        f"entry {n} has {k} line(s)"
        for n, k in _q(
            "SELECT e.number, COUNT(l.id) FROM ledger_journalentry e LEFT JOIN ledger_journalline l "
            "ON l.entry_id = e.number GROUP BY e.number HAVING COUNT(l.id) < 2 LIMIT %s",
            [MAX_PROBLEMS],
        )
    ]
    problems += [
        f"line {i} points at entry {n}, which does not exist"
        for i, n in _q(
            "SELECT l.id, l.entry_id FROM ledger_journalline l LEFT JOIN ledger_journalentry e "
            "ON e.number = l.entry_id WHERE e.number IS NULL LIMIT %s",
            [MAX_PROBLEMS],
        )
    ]
    problems += [
        f"line {i} of entry {n}: account {a} is a header or does not hold {cur}"
        for i, n, a, cur in _q(
            "SELECT l.id, l.entry_id, a.number, l.currency FROM ledger_journalline l "
            "JOIN ledger_account a ON a.id = l.account_id "
            "WHERE a.is_header = %s OR a.currency <> l.currency LIMIT %s",
            [True, MAX_PROBLEMS],
        )
    ]
    problems += [
        f"line {i} of entry {n}: debit {d} / credit {c} (exactly one must be > 0)"
        for i, n, d, c in _q(
            "SELECT id, entry_id, debit_minor, credit_minor FROM ledger_journalline "
            "WHERE NOT ((debit_minor > 0 AND credit_minor = 0) OR (credit_minor > 0 AND debit_minor = 0)) "
            "LIMIT %s",
            [MAX_PROBLEMS],
        )
    ]
    return problems


def _parse_dt(value):
    import datetime as dt

    from django.utils.dateparse import parse_datetime

    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    parsed = parse_datetime(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _parse_date(value):
    import datetime as dt

    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def check_hash_chain() -> list[str]:
    """Recompute every entry's hash in number order; numbers must run 1, 2, 3... and each
    entry must carry its predecessor's hash."""
    problems: list[str] = []
    expected_prev, expected_number = GENESIS_HASH, 1
    with connection.cursor() as entries, connection.cursor() as lines:
        entries.execute(
            "SELECT number, business_date, posted_at, actor_id, approved_by_id, branch_id, "
            "narrative, source_type, source_id, reversal_of_id, idempotency_key, prev_hash, hash "
            "FROM ledger_journalentry ORDER BY number"
        )
        lines.execute(
            "SELECT entry_id, line_no, account_id, currency, debit_minor, credit_minor, member_id, "
            "subledger_type, subledger_id, memo FROM ledger_journalline ORDER BY entry_id, line_no"
        )
        pending = lines.fetchone()
        while True:
            batch = entries.fetchmany(2000)
            if not batch:
                break
            for row in batch:
                number = int(row[0])
                own: list[HashLine] = []
                while pending is not None and int(pending[0]) < number:
                    pending = lines.fetchone()  # orphan lines: reported by the balance check
                while pending is not None and int(pending[0]) == number:
                    own.append(HashLine(*pending[1:]))
                    pending = lines.fetchone()
                if number != expected_number:
                    problems.append(f"entry numbers jump from {expected_number - 1} to {number}")
                if row[11] != expected_prev:
                    problems.append(
                        f"entry {number}: previous hash does not match entry {number - 1}"
                    )
                recomputed = entry_hash(
                    number=number,
                    business_date=_parse_date(row[1]),
                    posted_at=_parse_dt(row[2]),
                    actor_id=row[3],
                    approved_by_id=row[4],
                    branch_id=row[5],
                    narrative=row[6],
                    source_type=row[7],
                    source_id=row[8],
                    reversal_of_id=row[9],
                    idempotency_key=row[10],
                    prev_hash=row[11],
                    lines=own,
                )
                if recomputed != row[12]:
                    problems.append(f"entry {number}: content does not match its hash (altered?)")
                expected_prev, expected_number = row[12], number + 1
                if len(problems) >= MAX_PROBLEMS:
                    return problems
    state = _q("SELECT last_number, last_hash FROM ledger_ledgerstate WHERE id = 1")
    if state and (int(state[0][0]) != expected_number - 1 or state[0][1] != expected_prev):
        problems.append(
            f"the journal head says entry {state[0][0]}, the journal ends at {expected_number - 1}"
        )
    return problems


def _compare(kind: str, stored: dict, actual: dict) -> list[str]:
    problems = []
    for key in sorted(set(stored) | set(actual), key=str):
        s, a = stored.get(key, (0, 0)), actual.get(key, (0, 0))
        if tuple(s) != tuple(a):
            problems.append(f"{kind} {key}: stored debit/credit {s}, lines say {a}")
            if len(problems) >= MAX_PROBLEMS:
                break
    return problems


def check_balances() -> list[str]:
    stored = {
        (a, c): (int(d), int(k))
        for a, c, d, k in _q(
            "SELECT account_id, currency, debit_minor, credit_minor FROM ledger_accountbalance"
        )
        if d or k
    }
    actual = {
        (a, c): (int(d), int(k))
        for a, c, d, k in _q(
            "SELECT account_id, currency, SUM(debit_minor), SUM(credit_minor) FROM ledger_journalline "
            "GROUP BY account_id, currency"
        )
    }
    return _compare("balance of account/currency", stored, actual)


def check_day_totals() -> list[str]:
    stored = {
        (a, c, str(d)[:10]): (int(x), int(y))
        for a, c, d, x, y in _q(
            "SELECT account_id, currency, business_date, debit_minor, credit_minor FROM ledger_accountdaytotal"
        )
        if x or y
    }
    actual = {
        (a, c, str(d)[:10]): (int(x), int(y))
        for a, c, d, x, y in _q(
            "SELECT account_id, currency, business_date, SUM(debit_minor), SUM(credit_minor) "
            "FROM ledger_journalline GROUP BY account_id, currency, business_date"
        )
    }
    return _compare("day total of account/currency/date", stored, actual)


def check_trial_balance() -> list[str]:
    """Across all accounts, debits equal credits in each currency (stored totals)."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cur, d, c in _q(
        "SELECT currency, SUM(debit_minor), SUM(credit_minor) FROM ledger_accountbalance GROUP BY currency"
    ):
        totals[cur] = [int(d or 0), int(c or 0)]
    return [
        f"{cur}: total debits {d} ≠ total credits {c}"
        for cur, (d, c) in sorted(totals.items())
        if d != c
    ]


register_check("journal.entries_balance", check_entries_balance)
register_check("journal.hash_chain", check_hash_chain)
register_check("ledger.account_balances", check_balances)
register_check("ledger.day_totals", check_day_totals)
register_check("ledger.trial_balance", check_trial_balance)

LEDGER_CHECKS = [
    "journal.entries_balance",
    "journal.hash_chain",
    "ledger.account_balances",
    "ledger.day_totals",
    "ledger.trial_balance",
]
