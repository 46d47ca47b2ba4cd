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
    _steps_again(dt.date(2026, 11, 30))  # the month end's steps again: nothing changes
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
    # every step of the month end run again for 30 November changes nothing
    _steps_again(dt.date(2026, 11, 30))


def _steps_again(day: dt.date) -> None:
    from django.db import transaction

    from mupaka.cob.models import CobRun
    from mupaka.cob.services.runner import StepContext, cob_context, steps
    from mupaka.cob.testing import dump_state

    run = CobRun.objects.get(business_date=day)
    before = dump_state()
    with cob_context():
        for step in steps():
            if step.name == "business_date_move":
                continue
            with transaction.atomic():
                step.fn(StepContext(run=run, on_date=day, actor=None, token="", step=step.name))
    after = dump_state()
    assert [k for k in before if before[k] != after[k]] == []


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


def test_the_collection_rate_of_a_past_period_is_exact(
    bands, staff, member_factory, days30_product
):
    """Four loans of USD 300 at 0 %, three instalments of USD 100 every 30 days:
    A due 2 Nov, 2 Dec, 1 Jan; B 7 Nov, 7 Dec; C 12 Nov, 12 Dec; D 17 Nov, 17 Dec."""
    from mupaka.cob.testing import LoanPlan, LoanRow, load_loans, template
    from mupaka.loans.services import loan_repay
    from mupaka.reports.selectors import collection_rate, collection_source

    on = dt.date(2026, 11, 2)
    loans, savings = {}, {}
    for name, first_due in (("A", 2), ("B", 7), ("C", 12), ("D", 17)):
        member = member_factory()
        plan = LoanPlan(
            product=days30_product,
            principal_minor=30_000,
            installments=3,
            disbursed_on=dt.date(2026, 11, first_due) - dt.timedelta(days=30),
            annual_rate=Decimal("0"),
        )
        row = LoanRow(template(plan, as_of=on), member_id=member.pk, branch_id=member.branch_id)
        loans[name] = load_loans(rows=[row], filed_by=staff["officer"], as_of=on)[0]
        savings[name] = _savings(staff, member, f"EP-{name}", "USD", "500")

    def repay(name: str, amount: str) -> None:
        from mupaka.loans.models import Loan

        loan_repay(
            actor=staff["teller"],
            loan=Loan.objects.get(pk=loans[name]),
            amount=Money.of(amount, "USD"),
            idempotency_key=str(uuid.uuid4()),
            channel="savings",
            savings_account=savings[name],
        )

    repay("A", "100")  # 2 Nov: on time
    cob_until("2026-11-02")
    repay("D", "300")  # 3 Nov: the whole loan, ahead (D closes)
    cob_until("2026-11-04")
    repay("C", "150")  # 5 Nov: C's first instalment (due 12 Nov) and 50 of the second
    cob_until("2026-11-09")
    repay("B", "60")  # 10 Nov: late, on B's first instalment (due 7 Nov)
    cob_until("2026-12-01")
    repay("A", "100")  # 2 Dec: on time
    cob_until("2026-12-09")
    repay("B", "140")  # 10 Dec: 40 of November's arrears, then December's 100
    cob_until("2026-12-14")
    assert verify_problems() == {}

    def rate(a: tuple[int, int], b: tuple[int, int]):
        return collection_rate(
            date_from=dt.date(2026, *a), date_to=dt.date(2026, *b), currency="USD"
        )

    # November (from the first day tracked): fell due A, B, C, D 4 × 100 = 400, nothing
    # prepaid before; collected on it in November: A 100, D 100, C 100, B 60 = 360 (C's 50
    # on December's instalment is a prepayment: left out) → 90 %
    assert collection_source(dt.date(2026, 11, 2), dt.date(2026, 11, 30)) == "exact"
    nov = rate((11, 2), (11, 30))
    assert (nov.numerator, nov.denominator, nov.value) == (36_000, 40_000, Decimal("0.9"))
    # 10-30 November: C's and D's instalments fell due, but both were prepaid before the
    # period; B's payment went to arrears of 7 November: nothing to collect, no rate
    late = rate((11, 10), (11, 30))
    assert (late.numerator, late.denominator, late.value) == (0, 0, None)
    # 1-14 December: A, B, C fell due (300) less C's 50 prepaid in November = 250;
    # collected: A 100, B 100 (her other 40 paid November's arrears) = 200 → 80 %
    dec = rate((12, 1), (12, 14))
    assert (dec.numerator, dec.denominator, dec.value) == (20_000, 25_000, Decimal("0.8"))
    # the whole span: 700 fell due; 360 + 50 + 100 + 140 = 650 collected (cents below)
    both = rate((11, 2), (12, 14))
    assert (both.numerator, both.denominator) == (65_000, 70_000)
    # a period starting before end of day began to record: worked out from the schedules
    # as they stand (B's instalment of 7 November completed on 10 December counts as not
    # collected in November: 300 / 400), and the page says so
    assert collection_source(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == "live"
    assert rate((11, 1), (11, 30)).value == Decimal("0.75")


def test_the_statement_of_overdue_loans_uses_the_loan_classes(hand_made, staff):
    """The hand-made portfolio after its end of day (cob/tests/conftest.py), classed by the
    DRC preset's bands; provisions half up per loan, in cents."""
    from django.test import Client

    from mupaka.reports.selectors import overdue_statement

    call_command("cob", quiet=True)  # closes Monday 2 November
    st = overdue_statement(user=staff["accountant"], on_date=dt.date(2026, 11, 2), currency="USD")
    assert st.source == "snapshot"
    got = {ln.key: (ln.loans, ln.outstanding_minor, ln.provision_minor) for ln in st.lines}
    assert got == {
        "sound": (1, 100_000, 0),  # L0
        "rescheduled": (1, 50_000, 5_000),  # R1, up to date: 10 %
        "unpaid": (2, 53_333, 1_667 + 1_000),  # L1 33,333 × 5 % = 1,666.65; L2
        # L3 15,050 × 25 % = 3,762.5; L4 × 25 %; L5, L6 9,999 × 50 %; R2 (restructured, 45 days) × 50 %
        "doubtful": (5, 90_049, 3_763 + 2_500 + 12_500 + 5_000 + 15_000),
        "litigious": (2, 52_000, 30_000 + 9_000),  # L7, L8 × 75 %
        "irrecoverable": (3, 19_000, 19_000),  # L9, L10, L11 × 100 %
    }
    assert [ln.key for ln in st.lines][:2] == ["sound", "rescheduled"]
    assert (st.in_difficulty.loans, st.in_difficulty.outstanding_minor) == (13, 264_382)
    assert st.total.provision_minor == 104_430  # what end of day holds in the ledger

    accountant = Client()
    accountant.force_login(staff["accountant"])
    accountant.cookies["mupaka_language"] = "fr"
    page = accountant.get("/reports/monthly-pack/?date=2026-11-02&currency=USD").content.decode()
    assert "Crédits prorogés" in page and "Crédits contentieux" in page
    assert "Crédits en souffrance" in page
    xlsx = accountant.get("/reports/monthly-pack/?date=2026-11-02&currency=USD&format=xlsx")
    assert xlsx.status_code == 200


def test_the_exchange_position_page(bands, staff):
    from django.test import Client

    def client(role):
        c = Client()
        c.force_login(staff[role])
        return c

    page = client("accountant").get("/reports/exchange-position/?date=2026-11-02")
    assert page.status_code == 200
    assert client("officer").get("/reports/exchange-position/").status_code == 403
    future = client("accountant").get("/reports/exchange-position/?date=2026-12-31")
    assert future.status_code == 400


def test_a_sunday_earns_at_saturday_evening_balance(bands, staff, member_factory):
    """USD 365 at 10 % earns exactly 10 cents a day. Opened Saturday 7 November; USD 365
    more on Monday the 9th: Sunday keeps Saturday's balance (nothing can move on a closed
    day), so 7-8 November count 36,500 each and the 9th 73,000: 146,000 × 10 % / 365 = 40
    cents (not 50, as when Sunday was counted at Monday's balance)."""
    from mupaka.savings.services import savings_deposit

    cob_until("2026-11-06")
    account = _savings(staff, member_factory(), "EJ-USD", "USD", "365", interest_rate="10")
    cob_until("2026-11-07")
    assert business_date() == dt.date(2026, 11, 9)
    account.refresh_from_db()
    assert (account.accrued_through, account.acc_balance_days) == (dt.date(2026, 11, 8), 73_000)
    savings_deposit(
        actor=staff["accountant"],
        account=account,
        amount=Money.of("365", "USD"),
        idempotency_key=str(uuid.uuid4()),
        channel="bank",
    )
    cob_until("2026-11-09")
    account.refresh_from_db()
    assert account.acc_balance_days == 146_000
    assert net_credit("3380-USD") == 40
    assert verify_problems() == {}
