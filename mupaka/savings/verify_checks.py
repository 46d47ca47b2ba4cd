"""``mupaka verify`` checks of savings: the sub-ledger agrees with the general ledger.

- ``savings.subledger_vs_ledger``: for every ledger account savings accounts sit in,
  the sum of their balances equals the account's credit balance; and per currency the
  savings balances equal the control accounts (``savings_deposits``,
  ``guarantee_savings``, ``term_deposits``) wherever savings money is mapped;
- ``savings.transactions_vs_journal``: each savings transaction that moves money is
  in a journal entry, and within each entry the savings transactions add up to the
  entry's lines on each savings ledger account;
- ``savings.running_balances``: each account's balance is the sum of its
  transactions and the balance after its last transaction; blocked amounts are the
  sum of the active holds;
- ``savings.interest_payable_vs_accrued``: per savings product, the interest payable in
  the general ledger equals the interest its open accounts have earned and not yet been
  credited (worked out per account as it will be posted), and the payable accounts hold
  nothing else.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection

from mupaka.ledger.verify import MAX_PROBLEMS, register_check


def _q(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def savings_vs_ledger() -> list[str]:
    problems: list[str] = []
    sub = {
        int(gl): (cur, int(total))
        for gl, cur, total in _q(
            "SELECT a.gl_account_id, a.currency, SUM(a.balance_minor) FROM savings_savingsaccount a "
            "GROUP BY a.gl_account_id, a.currency"
        )
    }
    if not sub:
        return problems
    ids = sorted(sub)
    gl = {
        int(acc): (number, int(credit) - int(debit))
        for acc, number, debit, credit in _q(
            "SELECT a.id, a.number, COALESCE(b.debit_minor, 0), COALESCE(b.credit_minor, 0) "  # noqa: S608 (only %s placeholders are joined)
            "FROM ledger_account a LEFT JOIN ledger_accountbalance b "
            "ON b.account_id = a.id AND b.currency = a.currency "
            f"WHERE a.id IN ({', '.join(['%s'] * len(ids))})",
            ids,
        )
    }
    per_currency: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for account_id, (cur, total) in sorted(sub.items()):
        number, ledger = gl.get(account_id, (f"#{account_id}", 0))
        per_currency[cur][0] += total
        per_currency[cur][1] += ledger
        if total != ledger:
            problems.append(
                f"{number}: savings accounts {total} ≠ ledger {ledger} ({cur}, minor units)"
            )
    # per currency, against every account mapped to a savings role
    roles = ("savings_deposits", "guarantee_savings", "term_deposits")
    mapped = _q(
        "SELECT DISTINCT m.account_id, a.currency FROM ledger_accountmapping m "  # noqa: S608 (only %s placeholders are joined)
        "JOIN ledger_account a ON a.id = m.account_id "
        f"WHERE m.role IN ({', '.join(['%s'] * len(roles))})",
        list(roles),
    )
    control: dict[str, int] = defaultdict(int)
    control_ids = {int(a) for a, _ in mapped} | set(ids)
    for _acc, cur, debit, credit in _q(
        "SELECT b.account_id, b.currency, b.debit_minor, b.credit_minor FROM ledger_accountbalance b "  # noqa: S608 (only %s placeholders are joined)
        f"WHERE b.account_id IN ({', '.join(['%s'] * len(control_ids))})",
        sorted(control_ids),
    ):
        control[cur] += int(credit) - int(debit)
    for cur in sorted(set(per_currency) | set(control)):
        total = per_currency.get(cur, [0, 0])[0]
        if total != control.get(cur, 0):
            problems.append(
                f"{cur}: savings accounts {total} ≠ savings control accounts {control.get(cur, 0)} "
                "(minor units; something posted to a savings control account without a savings account?)"
            )
    return problems[:MAX_PROBLEMS]


def transactions_vs_journal() -> list[str]:
    problems = [
        f"savings transaction {i} ({kind}) moves money but is in no journal entry"
        for i, kind in _q(
            "SELECT id, kind FROM savings_savingstransaction WHERE entry_id IS NULL "
            "AND direction <> 'none' ORDER BY id LIMIT %s",
            [MAX_PROBLEMS],
        )
    ]
    savings = {
        (int(e), int(g)): int(net)
        for e, g, net in _q(
            "SELECT t.entry_id, a.gl_account_id, SUM(CASE WHEN t.direction = 'in' THEN t.amount_minor "
            "ELSE -t.amount_minor END) FROM savings_savingstransaction t "
            "JOIN savings_savingsaccount a ON a.id = t.account_id "
            "WHERE t.entry_id IS NOT NULL GROUP BY t.entry_id, a.gl_account_id"
        )
    }
    if not savings:
        return problems
    entries = sorted({e for e, _ in savings})
    gls = sorted({g for _, g in savings})
    journal: dict[tuple[int, int], int] = {}
    for start in range(0, len(entries), 500):
        chunk = entries[start : start + 500]
        for e, g, net in _q(
            "SELECT entry_id, account_id, SUM(credit_minor - debit_minor) FROM ledger_journalline "  # noqa: S608 (only %s placeholders are joined)
            f"WHERE entry_id IN ({', '.join(['%s'] * len(chunk))}) "
            f"AND account_id IN ({', '.join(['%s'] * len(gls))}) GROUP BY entry_id, account_id",
            [*chunk, *gls],
        ):
            journal[(int(e), int(g))] = int(net)
    for key, net in sorted(savings.items()):
        if journal.get(key, 0) != net:
            problems.append(
                f"entry {key[0]}: savings transactions {net} ≠ journal lines {journal.get(key, 0)} "
                f"on ledger account id {key[1]} (minor units)"
            )
            if len(problems) >= MAX_PROBLEMS:
                break
    return problems


def running_balances() -> list[str]:
    problems = [
        f"account {number}: balance {bal} ≠ sum of its transactions {total}"
        for number, bal, total in _q(
            "SELECT a.number, a.balance_minor, COALESCE(SUM(CASE WHEN t.direction = 'in' THEN "
            "t.amount_minor WHEN t.direction = 'out' THEN -t.amount_minor ELSE 0 END), 0) AS s "
            "FROM savings_savingsaccount a LEFT JOIN savings_savingstransaction t "
            "ON t.account_id = a.id GROUP BY a.id, a.number, a.balance_minor "
            "HAVING a.balance_minor <> COALESCE(SUM(CASE WHEN t.direction = 'in' THEN "
            "t.amount_minor WHEN t.direction = 'out' THEN -t.amount_minor ELSE 0 END), 0) "
            "LIMIT %s",
            [MAX_PROBLEMS],
        )
    ]
    problems += [
        f"account {number}: balance {bal} ≠ balance after its last transaction {after}"
        for number, bal, after in _q(
            "SELECT a.number, a.balance_minor, t.balance_after_minor FROM savings_savingsaccount a "
            "JOIN savings_savingstransaction t ON t.id = (SELECT MAX(id) FROM "
            "savings_savingstransaction x WHERE x.account_id = a.id) "
            "WHERE t.balance_after_minor <> a.balance_minor LIMIT %s",
            [MAX_PROBLEMS],
        )
    ]
    problems += [
        f"account {number}: blocked {blocked} ≠ active holds {holds}"
        for number, blocked, holds in _q(
            "SELECT a.number, a.blocked_minor, COALESCE(SUM(h.amount_minor), 0) "
            "FROM savings_savingsaccount a LEFT JOIN savings_savingshold h "
            "ON h.account_id = a.id AND h.status = 'active' "
            "GROUP BY a.id, a.number, a.blocked_minor "
            "HAVING a.blocked_minor <> COALESCE(SUM(h.amount_minor), 0) LIMIT %s",
            [MAX_PROBLEMS],
        )
    ]
    return problems


def interest_payable_vs_accrued() -> list[str]:
    from mupaka.ledger.models import AccountMapping
    from mupaka.savings.models import SavingsProduct
    from mupaka.savings.services.payable import (
        ROLE,
        SUBLEDGER,
        accrued_by_product,
        payable_account,
        stock_by_product,
    )

    problems: list[str] = []
    accrued, stock = accrued_by_product(), stock_by_product()
    products = {p.pk: p for p in SavingsProduct.objects.filter(pk__in=set(accrued) | set(stock))}
    for pid in sorted(set(accrued) | set(stock)):
        earned, held = accrued.get(pid, 0), stock.get(pid, 0)
        product = products.get(pid)
        code = product.code if product else f"#{pid}"
        if earned == held:
            continue
        if product is not None and held == 0 and payable_account(product.currency, product) is None:
            problems.append(
                f"product {code}: interest earned {earned} is not in the ledger "
                f"(no {ROLE} mapping in {product.currency}: run `mupaka chart load`)"
            )
            continue
        problems.append(
            f"product {code}: interest payable in the ledger {held} ≠ interest earned and "
            f"not yet posted {earned} (minor units)"
        )
    accounts = sorted(
        set(AccountMapping.objects.filter(role=ROLE).values_list("account_id", flat=True))
    )
    if accounts:
        problems += [
            f"account {number}: {net} (minor units) posted without naming a savings product"
            for number, net in _q(
                "SELECT a.number, SUM(l.credit_minor) - SUM(l.debit_minor) "  # noqa: S608 (only %s placeholders are joined)
                "FROM ledger_journalline l JOIN ledger_account a ON a.id = l.account_id "
                f"WHERE l.account_id IN ({', '.join(['%s'] * len(accounts))}) "
                "AND l.subledger_type <> %s GROUP BY a.number "
                "HAVING SUM(l.credit_minor) <> SUM(l.debit_minor)",
                [*accounts, SUBLEDGER],
            )
        ]
    return problems[:MAX_PROBLEMS]


register_check("savings.subledger_vs_ledger", savings_vs_ledger)
register_check("savings.interest_payable_vs_accrued", interest_payable_vs_accrued)
register_check("savings.transactions_vs_journal", transactions_vs_journal)
register_check("savings.running_balances", running_balances)
