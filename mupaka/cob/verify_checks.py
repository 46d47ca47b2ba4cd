"""``mupaka verify`` checks of end of day.

- ``cob.accrued_interest_vs_ledger``: per loan product and currency, the interest accrued
  loan by loan equals what end of day posted plus the carried residual (less than one
  minor unit), and per ledger account the interest receivable equals accrued − received.
- ``cob.lock``: end of day is not left interrupted (a date half closed refuses postings).
"""

from __future__ import annotations

from collections import defaultdict

from mupaka.cob.models import ACCRUAL_SCALE, AccrualState, CobLock, LoanAccrual
from mupaka.ledger.selectors import account_balance, account_for
from mupaka.ledger.verify import register_check


def accrued_interest_matches() -> list[str]:
    problems: list[str] = []
    per_loan: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for product_id, currency, accrued, paid in LoanAccrual.objects.values_list(
        "product_id", "currency", "accrued_scaled", "paid_minor"
    ).iterator(chunk_size=5000):
        slot = per_loan[(product_id, currency)]
        slot[0] += accrued
        slot[1] += paid
    expected_by_account: dict[int, int] = defaultdict(int)
    accounts = {}
    for state in AccrualState.objects.order_by("product_id", "currency"):
        accrued, paid = per_loan.get((state.product_id, state.currency), [0, 0])
        posted = state.accrued_posted_minor * ACCRUAL_SCALE + state.residual_scaled
        if accrued != posted:
            problems.append(
                f"product {state.product_id} {state.currency}: loans accrued {accrued} ≠ "
                f"posted {posted} (1/{ACCRUAL_SCALE} of minor units)"
            )
        if paid != state.paid_posted_minor:
            problems.append(
                f"product {state.product_id} {state.currency}: interest received {paid} ≠ "
                f"moved to the receivable {state.paid_posted_minor} (minor units)"
            )
        account = account_for(
            "interest_receivable", state.currency, ("loans.loanproduct", state.product_id)
        )
        accounts[account.pk] = account
        expected_by_account[account.pk] += state.accrued_posted_minor - state.paid_posted_minor
    for account_id, expected in sorted(expected_by_account.items()):
        ledger = account_balance(accounts[account_id]).net_minor
        if ledger != expected:
            problems.append(
                f"account {accounts[account_id].number}: interest receivable {ledger} ≠ "
                f"accrued − received {expected} (minor units)"
            )
    return problems


def lock_released() -> list[str]:
    lock = CobLock.objects.filter(pk=1).first()
    if lock is None or not lock.holder:
        return []
    state = "running" if lock.pid else "interrupted: run `mupaka cob` again to finish it"
    return [f"end of day for {lock.business_date} is {state}"]


register_check("cob.accrued_interest_vs_ledger", accrued_interest_matches)
register_check("cob.lock", lock_released)
