"""``mupaka verify`` checks of the loan sub-ledger against the general ledger.

- ``loans.portfolio_vs_ledger``: per currency, the principal outstanding of the loans
  (their caches, and again from their transactions: disbursed - repaid - written off)
  equals the balance of the accounts mapped to ``loan_portfolio`` and
  ``loan_portfolio_arrears`` (every product's mapping and the default).
- ``loans.each_loan_vs_ledger``: loan by loan, the portfolio lines carrying the loan's
  reference add up to its principal outstanding.
- ``loans.overpayments_vs_ledger``: the credit balances owed to members equal
  ``overpayment_liability``.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum

from mupaka.ledger.models import AccountBalance, AccountMapping, JournalLine
from mupaka.ledger.verify import MAX_PROBLEMS, register_check
from mupaka.loans.models import Loan, LoanStatus
from mupaka.loans.selectors import subledger_by_currency
from mupaka.loans.services.common import SUBLEDGER

PORTFOLIO_ROLES = ("loan_portfolio", "loan_portfolio_arrears")


def _accounts(roles) -> dict[str, set[int]]:
    by_currency: dict[str, set[int]] = defaultdict(set)
    for currency, account_id in AccountMapping.objects.filter(role__in=roles).values_list(
        "currency", "account_id"
    ):
        by_currency[currency].add(account_id)
    return by_currency


def _gl(roles, *, credit_normal: bool = False) -> dict[str, int]:
    out: dict[str, int] = {}
    for currency, ids in _accounts(roles).items():
        row = AccountBalance.objects.filter(account_id__in=ids, currency=currency).aggregate(
            d=Sum("debit_minor"), c=Sum("credit_minor")
        )
        net = int(row["d"] or 0) - int(row["c"] or 0)
        out[currency] = -net if credit_normal else net
    return out


def loans_match_portfolio() -> list[str]:
    gl = _gl(PORTFOLIO_ROLES)
    sub = subledger_by_currency()
    problems = []
    for currency in sorted(set(gl) | set(sub)):
        ledger = gl.get(currency, 0)
        s = sub.get(currency, {})
        cache, tx = s.get("principal_cache", 0), s.get("principal_tx", 0)
        if not ledger == cache == tx:
            problems.append(
                f"{currency}: loans outstanding {cache} (caches), {tx} (transactions) "
                f"≠ ledger {ledger} (minor units)"
            )
    return problems


def each_loan_matches() -> list[str]:
    ids = set().union(*_accounts(PORTFOLIO_ROLES).values()) if _accounts(PORTFOLIO_ROLES) else set()
    gl = {
        sid: int(dsum or 0) - int(csum or 0)
        for sid, dsum, csum in JournalLine.objects.filter(
            account_id__in=ids, subledger_type=SUBLEDGER
        )
        .values("subledger_id")
        .annotate(dsum=Sum("debit_minor"), csum=Sum("credit_minor"))
        .values_list("subledger_id", "dsum", "csum")
    }
    unreferenced = JournalLine.objects.filter(account_id__in=ids).exclude(subledger_type=SUBLEDGER)
    problems = [
        f"entry {n}: a line on the loan portfolio without a loan reference"
        for n in unreferenced.values_list("entry_id", flat=True)[:MAX_PROBLEMS]
    ]
    caches = dict(
        Loan.objects.filter(
            status__in=[LoanStatus.ACTIVE, LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF]
        ).values_list("pk", "principal_outstanding_minor")
    )
    for key in sorted(
        set(gl) | {str(pk) for pk in caches}, key=lambda k: int(k) if k.isdigit() else 0
    ):
        ledger = gl.get(key, 0)
        cache = caches.get(int(key), 0) if key.isdigit() else 0
        if ledger != cache:
            problems.append(
                f"loan {key}: principal outstanding {cache} ≠ ledger {ledger} (minor units)"
            )
            if len(problems) >= MAX_PROBLEMS:
                break
    return problems


def overpayments_match() -> list[str]:
    gl = _gl(("overpayment_liability",), credit_normal=True)
    sub = subledger_by_currency()
    problems = []
    for currency in sorted(set(gl) | set(sub)):
        ledger = gl.get(currency, 0)
        s = sub.get(currency, {})
        cache, tx = s.get("credit_cache", 0), s.get("credit_tx", 0)
        if not ledger == cache == tx:
            problems.append(
                f"{currency}: credit balances {cache} (caches), {tx} (transactions) "
                f"≠ overpayment liability {ledger} (minor units)"
            )
    return problems


register_check("loans.portfolio_vs_ledger", loans_match_portfolio)
register_check("loans.each_loan_vs_ledger", each_loan_matches)
register_check("loans.overpayments_vs_ledger", overpayments_match)
