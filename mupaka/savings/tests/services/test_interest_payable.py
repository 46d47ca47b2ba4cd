"""Savings interest in the general ledger between postings (the interest payable): the
integer computation end of day sums equals the interest posted, the accrual is the
difference from the ledger's stock, and interest forfeited at a break or a closing is
written back from the payable. Hand-computed figures in the comments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mupaka.core.money import Rounding
from mupaka.core.services import business_date_set
from mupaka.ledger.models import AccountMapping, JournalEntry, JournalLine
from mupaka.ledger.verify import run_checks
from mupaka.savings.domain.interest import (
    Accumulator,
    InterestMethod,
    gross_minor_from_accumulator,
    interest_from_accumulator,
)
from mupaka.savings.models import SavingsAccount
from mupaka.savings.services import (
    savings_account_close,
    savings_deposit,
    savings_interest_accrue,
    savings_interest_post,
    savings_transfer,
    term_deposit_break,
    term_deposit_open,
)
from mupaka.savings.services.payable import accrued_by_product, stock_by_product
from mupaka.savings.tests.conftest import key, m, verify_green

NOV = [dt.date(2026, 11, d) for d in range(1, 31)]


def net(number: str) -> int:
    """Credit − debit of a ledger account (minor units)."""
    return sum(
        ln.credit_minor - ln.debit_minor
        for ln in JournalLine.objects.filter(account__number=number)
    )


@settings(max_examples=400, deadline=None)
@given(
    balance=st.integers(min_value=0, max_value=10**13),
    days=st.integers(min_value=1, max_value=1900),
    eligible_share=st.integers(min_value=0, max_value=100),
    rate_ppm=st.integers(min_value=0, max_value=400_000),
    minimum=st.integers(min_value=0, max_value=10**8),
    method=st.sampled_from(list(InterestMethod)),
    year=st.sampled_from([360, 365]),
    rounding=st.sampled_from([Rounding.HALF_EVEN, Rounding.HALF_UP, Rounding.DOWN]),
    currency=st.sampled_from(["USD", "RWF"]),
)
def test_the_integer_interest_is_the_interest_posted(
    balance, days, eligible_share, rate_ppm, minimum, method, year, rounding, currency
):
    acc = Accumulator(balance * days, balance * days * eligible_share // 100, days)
    posted = interest_from_accumulator(
        acc,
        currency=currency,
        annual_rate=Decimal(rate_ppm) / Decimal(1_000_000),
        method=method,
        min_balance_minor=minimum,
        days_in_year=year,
        rounding=rounding,
    )
    assert (
        gross_minor_from_accumulator(
            acc,
            rate_ppm=rate_ppm,
            method=method,
            min_balance_minor=minimum,
            days_in_year=year,
            rounding=rounding,
        )
        == posted.gross.minor
    )


def test_exact_ties_round_as_the_product_says():
    # 1,825 × 10 % / 365 = exactly 0.5 of a minor unit... times 1: 500,000 / 1,000,000
    acc = Accumulator(1_825, 1_825, 1)
    kw = {"rate_ppm": 100_000, "method": "daily_balance", "days_in_year": 365}
    assert gross_minor_from_accumulator(acc, rounding="half_even", **kw) == 0
    assert gross_minor_from_accumulator(acc, rounding="half_up", **kw) == 1
    assert gross_minor_from_accumulator(acc, rounding="down", **kw) == 0
    acc3 = Accumulator(1_825 * 3, 1_825 * 3, 1)  # 1.5 → 2 half even, 2 half up, 1 down
    assert gross_minor_from_accumulator(acc3, rounding="half_even", **kw) == 2
    assert gross_minor_from_accumulator(acc3, rounding="down", **kw) == 1


pytestmark = pytest.mark.django_db


def on(day: dt.date) -> None:
    business_date_set(actor=None, new_date=day)


def bank_deposit(staff, account, amount):
    return savings_deposit(
        actor=staff["accountant"],
        account=account,
        amount=amount,
        idempotency_key=key(),
        channel="bank",
    )


def test_quarterly_interest_is_in_the_ledger_every_evening(
    staff, make_product, member, open_account
):
    """USD 1,000 at 6 % on the daily balance, posted quarterly: every evening the payable
    holds what she has earned so far; the posting takes it out of the payable."""
    quarterly = make_product(code="EQ-USD", interest_rate="6", posting_frequency="quarterly")
    on(NOV[1])
    account = open_account(member, quarterly)
    bank_deposit(staff, account, m("1000"))
    for day in NOV[1:]:
        on(day)
        savings_interest_accrue(on_date=day)
    # 2-30 November: 29 days × 100,000 cents × 6 % / 365 = 476.71… → USD 4.77
    assert net("3380-USD") == 477 and net("6000-USD") == -477
    assert accrued_by_product() == stock_by_product() == {quarterly.pk: 477}
    # posting 30 November is not a quarter end for this product: nothing posted
    assert savings_interest_post(on_date=NOV[-1])["accounts"] == 0
    # one accrual entry per evening, and a second run of a date posts nothing
    entries = JournalEntry.objects.filter(source_type="savings.interest_accrual").count()
    assert entries == 29
    savings_interest_accrue(on_date=NOV[-1])
    assert JournalEntry.objects.filter(source_type="savings.interest_accrual").count() == entries
    verify_green()
    # 1-31 December, then the quarter's interest: 60 days → 986.30… → USD 9.86
    for d in range(1, 32):
        on(dt.date(2026, 12, d))
        savings_interest_accrue(on_date=dt.date(2026, 12, d))
    assert net("3380-USD") == 986
    result = savings_interest_post(on_date=dt.date(2026, 12, 31))
    assert result["products"]["EQ-USD"] == {"accounts": 1, "gross_minor": 986}
    post = JournalEntry.objects.get(source_type="savings.interest")
    assert {(ln.account.number, ln.debit_minor, ln.credit_minor) for ln in post.lines.all()} == {
        ("3380-USD", 986, 0),
        ("3300-USD", 0, 986),
    }
    assert net("3380-USD") == 0 and net("6000-USD") == -986
    account.refresh_from_db()
    assert account.balance == m("1009.86")
    verify_green()


def test_a_broken_term_deposit_gives_its_interest_back(
    staff, term_product, make_product, member, open_account
):
    funded = open_account(member, make_product(code="EV-SRC"))
    bank_deposit(staff, funded, m("600"))
    opened = term_deposit_open(
        actor=staff["teller"],
        member=member,
        product=term_product,
        amount=m("500"),
        idempotency_key=key(),
        channel="transfer",
        from_account=funded,
    )
    term = SavingsAccount.objects.get(pk=opened.account_id)
    start = term.opened_date
    for n in range(10):
        on(start + dt.timedelta(days=n))
        savings_interest_accrue(on_date=start + dt.timedelta(days=n))
    # 10 days × 50,000 cents × 8 % / 365 = 109.58… → USD 1.10 accrued for the deposit
    assert stock_by_product([term_product.pk]) == {term_product.pk: 110}
    term_deposit_break(
        actor=staff["manager"],
        account=term,
        idempotency_key=key(),
        reason="Besoin urgent",
        channel="transfer",
        to_account=funded,
    )
    entry = JournalEntry.objects.get(source_type="savings.term_break")
    lines = {(ln.account.number, ln.debit_minor, ln.credit_minor) for ln in entry.lines.all()}
    assert ("3380-USD", 110, 0) in lines and ("6000-USD", 0, 110) in lines
    assert stock_by_product([term_product.pk]) == {term_product.pk: 0}
    verify_green()


def test_closing_an_emptied_account_writes_its_interest_back(
    staff, make_product, member, open_account
):
    product = make_product(code="EV-CLO", interest_rate="6")
    sink = open_account(member, make_product(code="EV-KEEP"))
    on(NOV[1])
    account = open_account(member, product)
    bank_deposit(staff, account, m("100"))
    for day in NOV[1:11]:
        on(day)
        savings_interest_accrue(on_date=day)
    # 2-11 November: 10 days × 10,000 cents × 6 % / 365 = 16.43… → USD 0.16
    assert stock_by_product([product.pk]) == {product.pk: 16}
    on(NOV[11])
    savings_transfer(
        actor=staff["manager"],
        from_account=account,
        to_account=sink,
        amount=m("100"),
        idempotency_key=key(),
    )
    savings_account_close(actor=staff["manager"], account=account, reason="Départ")
    entry = JournalEntry.objects.get(source_type="savings.close")
    assert {(ln.account.number, ln.debit_minor, ln.credit_minor) for ln in entry.lines.all()} == {
        ("3380-USD", 16, 0),
        ("6000-USD", 0, 16),
    }
    assert stock_by_product([product.pk]) == {product.pk: 0}
    verify_green()


def test_without_the_mapping_the_expense_is_charged_at_posting_and_verify_says_so(
    staff, make_product, member, open_account
):
    product = make_product(code="EV-OLD", interest_rate="6")
    AccountMapping.objects.filter(role="savings_interest_payable").delete()
    on(NOV[1])
    account = open_account(member, product)
    bank_deposit(staff, account, m("100"))
    for day in NOV[1:]:
        on(day)
        savings_interest_accrue(on_date=day)
    assert not JournalEntry.objects.filter(source_type="savings.interest_accrual").exists()
    failed = {r.name: r.problems for r in run_checks() if not r.ok}
    assert "chart load" in failed["savings.interest_payable_vs_accrued"][0]
    savings_interest_post(on_date=NOV[-1])
    # 29 days × 10,000 × 6 % / 365 = 47.67… → USD 0.48, charged to the expense at posting
    assert net("6000-USD") == -48
    verify_green()
