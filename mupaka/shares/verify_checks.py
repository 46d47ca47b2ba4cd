"""``mupaka verify`` checks of member shares.

- ``shares.holdings_vs_ledger``: per currency, what members paid for the shares they
  hold equals the credit balance of the ``member_shares`` accounts; each holding equals
  its purchases less its redemptions, and the journal lines carrying its reference.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection

from mupaka.ledger.verify import MAX_PROBLEMS, register_check


def _q(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def holdings_vs_ledger() -> list[str]:
    problems: list[str] = []
    held = {
        cur: int(total)
        for cur, total in _q(
            "SELECT currency, SUM(paid_minor) FROM shares_shareholding GROUP BY currency"
        )
    }
    ledger: dict[str, int] = defaultdict(int)
    for cur, debit, credit in _q(
        "SELECT b.currency, b.debit_minor, b.credit_minor FROM ledger_accountbalance b "
        "WHERE b.account_id IN (SELECT account_id FROM ledger_accountmapping "
        "WHERE role = 'member_shares')"
    ):
        ledger[cur] += int(credit) - int(debit)
    for cur in sorted(set(held) | set(ledger)):
        if held.get(cur, 0) != ledger.get(cur, 0):
            problems.append(
                f"{cur}: member shares held {held.get(cur, 0)} ≠ ledger {ledger.get(cur, 0)} (minor units)"
            )
    problems += [
        f"holding {h}: paid {paid} ≠ purchases less redemptions {txns}"
        for h, paid, txns in _q(
            "SELECT h.id, h.paid_minor, COALESCE(SUM(CASE WHEN t.kind = 'purchase' THEN t.amount_minor "
            "WHEN t.kind = 'redemption' THEN -t.amount_minor ELSE 0 END), 0) FROM shares_shareholding h "
            "LEFT JOIN shares_sharetransaction t ON t.holding_id = h.id GROUP BY h.id, h.paid_minor "
            "HAVING h.paid_minor <> COALESCE(SUM(CASE WHEN t.kind = 'purchase' THEN t.amount_minor "
            "WHEN t.kind = 'redemption' THEN -t.amount_minor ELSE 0 END), 0) LIMIT %s",
            [MAX_PROBLEMS],
        )
    ]
    journal = {
        str(sid): int(net)
        for sid, net in _q(
            "SELECT subledger_id, SUM(credit_minor - debit_minor) FROM ledger_journalline "
            "WHERE subledger_type = 'shares.holding' GROUP BY subledger_id"
        )
    }
    for h, paid in _q("SELECT id, paid_minor FROM shares_shareholding"):
        if journal.get(str(h), 0) != int(paid):
            problems.append(
                f"holding {h}: paid {paid} ≠ journal lines {journal.get(str(h), 0)} (minor units)"
            )
            if len(problems) >= MAX_PROBLEMS:
                break
    return problems


register_check("shares.holdings_vs_ledger", holdings_vs_ledger)
