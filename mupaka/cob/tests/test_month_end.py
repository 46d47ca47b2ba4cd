"""Month end at the cooperative (scenario 4), run with ``mupaka cob --until`` across
month ends, figures worked by hand in the comments:

* savings interest accrued in the general ledger every evening (interest payable),
  released when it is posted; a month whose last day is a Sunday still posts;
* the exchange position revalued at the month-end rate, reversed the next month;
* what fell due and what was collected on it, so the collection rate of any past
  period is exact;
* `mupaka verify` green throughout.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command

from mupaka.cob.selectors import exchange_position
from mupaka.cob.tests.conftest import verify_problems
from mupaka.core.models import Institution
from mupaka.core.money import Money
from mupaka.ledger.models import JournalEntry, JournalLine
from mupaka.savings.models import SavingsAccount

pytestmark = pytest.mark.django_db


def cob_until(day: str) -> None:
    call_command("cob", until=day, quiet=True)


def net_credit(number: str, *, as_of: dt.date | None = None) -> int:
    lines = JournalLine.objects.filter(account__number=number)
    if as_of:
        lines = lines.filter(business_date__lte=as_of)
    return sum(ln.credit_minor - ln.debit_minor for ln in lines)


def business_date() -> dt.date:
    return Institution.objects.get().business_date


def _savings(staff, member, code, currency, amount, **product):
    from mupaka.savings.services import (
        ProductData,
        savings_account_open,
        savings_deposit,
        savings_product_create,
    )

    prod = savings_product_create(
        actor=staff["manager"],
        data=ProductData(code=code, name=code, kind="voluntary", currency=currency, **product),
    )
    account = savings_account_open(actor=staff["manager"], member=member, product=prod)
    savings_deposit(
        actor=staff["accountant"],
        account=account,
        amount=Money.of(amount, currency),
        idempotency_key=str(uuid.uuid4()),
        channel="bank",
    )
    return account


def test_savings_interest_is_in_the_books_at_every_month_end(bands, staff, member_factory):
    member = member_factory()
    # opened and funded on Monday 2 November 2026 (the business date)
    quarterly = _savings(
        staff, member, "EQ-USD", "USD", "1000", interest_rate="6", posting_frequency="quarterly"
    )
    annual = _savings(
        staff,
        member,
        "EA-CDF",
        "CDF",
        "500000",
        interest_rate="4",
        posting_frequency="annually",
        days_in_year=360,
    )
    monthly = _savings(staff, member, "EM-USD", "USD", "365", interest_rate="10")

    cob_until("2026-11-30")
    assert business_date() == dt.date(2026, 12, 1)
    # 2-30 November = 29 days (the Sundays count at the Monday's balance, unchanged):
    # quarterly 100,000 cents × 29 × 6 % / 365 = 476.71 → USD 4.77, in the payable;
    # annual FC 50,000,000 (cents) × 29 × 4 % / 360 = 161,111.1 → FC 1,611.11;
    # monthly 36,500 × 29 × 10 % / 365 = 290 → USD 2.90, posted on 30 November.
    assert net_credit("3380-USD") == 477
    assert net_credit("3380-CDF") == 161_111
    assert net_credit("6000-USD") == -(477 + 290)
    assert net_credit("6000-CDF") == -161_111
    monthly.refresh_from_db()
    assert monthly.balance_minor == 36_790
    posted = JournalEntry.objects.get(source_type="savings.interest")
    assert posted.business_date == dt.date(2026, 11, 30)
    assert {(ln.account.number, ln.debit_minor, ln.credit_minor) for ln in posted.lines.all()} == {
        ("3380-USD", 290, 0),
        ("3300-USD", 0, 290),
    }
    assert verify_problems() == {}

    cob_until("2026-12-31")
    # the quarter: 2 November - 31 December = 60 days → 986.30 → USD 9.86, out of the payable;
    # monthly in December: 36,790 × 31 × 10 % / 365 = 312.46 → USD 3.12;
    # the year (annual product): 60 days → 333,333.3 → FC 3,333.33, posted 31 December
    quarterly.refresh_from_db()
    monthly.refresh_from_db()
    annual.refresh_from_db()
    assert quarterly.balance_minor == 100_986
    assert monthly.balance_minor == 36_790 + 312
    assert annual.balance_minor == 50_333_333
    assert net_credit("3380-USD") == 0 and net_credit("3380-CDF") == 0
    assert net_credit("6000-USD") == -(986 + 290 + 312)
    assert net_credit("6000-CDF") == -333_333
    assert verify_problems() == {}

    # January 2027 ends on a Sunday: its last business date is Saturday 30 January, which
    # closes the month through the 31st. Monthly: 37,102 × 31 × 10 % / 365 = 315.11 → 3.15.
    cob_until("2027-02-01")
    jan = JournalEntry.objects.filter(source_type="savings.interest").order_by("number").last()
    assert jan.business_date == dt.date(2027, 1, 30)
    assert "31/01/2027" in jan.narrative
    monthly.refresh_from_db()
    assert monthly.balance_minor == 37_102 + 315
    assert monthly.interest_posted_through == dt.date(2027, 1, 31)
    # the payable at the month end holds January's interest of the quarterly and annual
    # accounts: 100,986 × 31 × 6 % / 365 = 514.6 → USD 5.15; 50,333,333 × 31 × 4 % / 360
    # = 173,370.4 → FC 1,733.70; after 1 February (32 days): USD 5.31 + the monthly
    # account's 1 February (37,417 × 10 % / 365 = 10.25 → 0.10), FC 1,789.63
    assert net_credit("3380-USD", as_of=dt.date(2027, 1, 31)) == 515
    assert net_credit("3380-CDF", as_of=dt.date(2027, 1, 31)) == 173_370
    assert net_credit("3380-USD") == 531 + 10
    assert net_credit("3380-CDF") == 178_963
    assert verify_problems() == {}


def test_the_exchange_position_is_revalued_at_month_end_and_reversed(bands, staff):
    from mupaka.tellers.services import exchange_do, rate_set
    from mupaka.tellers.testing import open_till_with_cash

    open_till_with_cash(
        teller=staff["teller"],
        manager=staff["manager"],
        floats=[Money.of("2000", "USD"), Money.of("3000000", "CDF")],
    )
    rate_set(
        actor=staff["manager"],
        base="USD",
        quote="CDF",
        buy="2847.35",
        sell="2895",
        reference="2871.20",
    )
    # USD 100 at 2,847.35 → FC 284,700 paid; Dr 4800-CDF 284,700 / Cr 4800-USD 99.16
    exchange_do(
        actor=staff["teller"],
        offered=Money.of("100", "USD"),
        currency_out="CDF",
        customer_name="Passante",
        journal_key=str(uuid.uuid4()),
    )
    # the month-end rate (set ahead for 30 November): reference 2,900
    rate_set(
        actor=staff["manager"],
        base="USD",
        quote="CDF",
        buy="2880",
        sell="2920",
        reference="2900",
        rate_date=dt.date(2026, 11, 30),
    )
    cob_until("2026-11-30")
    # short FC 284,700 = USD 98.17 at 2,900 against USD 99.16 received: a gain of
    # 99.16 − 284,700 / 2,900 = 0.9876 → USD 0.99
    position = exchange_position(on_date=dt.date(2026, 11, 30))
    assert position.unrealised_minor == 99 and position.revaluation_minor == 99
    cdf = position.currencies[0]
    assert (cdf.currency, cdf.desk_long_minor) == ("CDF", -28_470_000)
    assert cdf.rate.rate == Decimal("2900") and cdf.rate.source == "reference"
    # the balance sheet holds FC 3,000,000 − 284,700 = 2,715,300 in the till (the float
    # came from the opening balance, equity): long FC 2,715,300 = USD 936.31
    assert cdf.balance_sheet_minor == 271_530_000
    assert round(cdf.balance_sheet_in_base, 2) == Decimal("936.31")
    revaluation = JournalEntry.objects.get(source_type="cob.fx_revaluation", reversal_of=None)
    assert revaluation.business_date == dt.date(2026, 11, 30)
    assert {
        (ln.account.number, ln.debit_minor, ln.credit_minor) for ln in revaluation.lines.all()
    } == {
        ("4800-USD", 99, 0),
        ("7060-USD", 0, 99),
    }
    # November's income statement carries it; 1 December (the new month) reverses it
    assert net_credit("7060-USD", as_of=dt.date(2026, 11, 30)) == 99
    reversal = revaluation.reversed_by
    assert reversal.business_date == dt.date(2026, 12, 1)
    assert net_credit("7060-USD") == 0
    # valued again on 1 December (no new month end): same gain, nothing posted
    again = exchange_position(on_date=dt.date(2026, 12, 1))
    assert again.unrealised_minor == 99 and again.revaluation_minor == 0
    assert verify_problems() == {}


def test_without_a_reference_rate_the_mid_rate_values_the_position(bands, staff):
    from mupaka.cob.models import CobStep
    from mupaka.tellers.services import exchange_do, rate_set
    from mupaka.tellers.testing import open_till_with_cash

    open_till_with_cash(
        teller=staff["teller"],
        manager=staff["manager"],
        floats=[Money.of("2000", "USD"), Money.of("200000", "RWF")],
    )
    rate_set(actor=staff["manager"], base="USD", quote="RWF", buy="1400", sell="1450")
    exchange_do(
        actor=staff["teller"],
        offered=Money.of("50", "USD"),
        currency_out="RWF",
        customer_name="Passant",
        journal_key=str(uuid.uuid4()),
    )
    # USD 50 at 1,400 → RWF 70,000; the margin at the mid rate (1,400 + 1,450) / 2 = 1,425:
    # 50 × 1,425 − 70,000 = RWF 1,250 = USD 0.88, so Cr 4800-USD 49.12
    cob_until("2026-11-30")
    step = CobStep.objects.get(
        run__business_date=dt.date(2026, 11, 30), name="exchange_revaluation"
    )
    assert step.result["rates"] == {"RWF": "USD/RWF 1425"}
    # at the same rate the position is worth 49.12 − 70,000 / 1,425 = −0.0028 → 0.00: nothing
    assert step.result["unrealised_minor"] == 0
    assert not JournalEntry.objects.filter(source_type="cob.fx_revaluation").exists()
    assert verify_problems() == {}
