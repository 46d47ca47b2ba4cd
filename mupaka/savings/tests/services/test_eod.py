"""End of day through the services: November 2026 worked by hand (see
tests/domain/test_interest_examples.py), fees, dormancy and term deposits."""

from __future__ import annotations

import datetime as dt

import pytest

from mupaka.core.exceptions import ValidationFailed
from mupaka.core.services import business_date_set
from mupaka.ledger.models import JournalEntry, JournalLine
from mupaka.savings.models import SavingsAccount, SavingsRun, SavingsTransaction
from mupaka.savings.services import (
    savings_account_reactivate,
    savings_deposit,
    savings_dormancy_flag,
    savings_interest_accrue,
    savings_interest_post,
    savings_maintenance_fees_charge,
    savings_transfer,
    savings_withdraw,
    term_deposit_break,
    term_deposit_open,
    term_deposits_mature,
)
from mupaka.savings.tests.conftest import key, m, verify_green

pytestmark = pytest.mark.django_db
NOV = [dt.date(2026, 11, d) for d in range(1, 31)]


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


@pytest.fixture
def november(staff, make_product, make_member, open_account):
    """Two accounts living the hand-worked November: one per interest method, minimum
    USD 50 for interest; the ADB product withholds 10 % tax. A third account takes the
    withdrawal of 20 Nov (as a transfer, so no till is needed across business dates)."""
    daily = make_product(code="EV-DAILY", interest_rate="6", min_balance_for_interest="50")
    adb = make_product(
        code="EV-ADB",
        interest_rate="6",
        min_balance_for_interest="50",
        interest_method="average_daily_balance",
        withholding_tax="10",
    )
    sink_product = make_product(code="EV-SINK", interest_rate="6")
    on(NOV[0])
    member = make_member()
    a = open_account(member, daily)
    b = open_account(member, adb)
    sink = open_account(member, sink_product)
    for day in NOV:
        on(day)
        if day.day == 1:
            bank_deposit(staff, a, m("100"))
            bank_deposit(staff, b, m("100"))
        elif day.day == 10:
            bank_deposit(staff, a, m("50"))
            bank_deposit(staff, b, m("50"))
        elif day.day == 20:
            for acct in (a, b):
                savings_transfer(
                    actor=staff["manager"],
                    from_account=acct,
                    to_account=sink,
                    amount=m("120"),
                    idempotency_key=key(),
                )
        elif day.day == 25:
            bank_deposit(staff, a, m("200"))
            bank_deposit(staff, b, m("200"))
        if day != NOV[-1]:
            savings_interest_accrue(on_date=day)
    return a, b, sink


def test_interest_of_november_by_hand(november):
    a, b, sink = november
    result = savings_interest_post(on_date=NOV[-1])
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.balance == m("230.62")  # daily balance: USD 0.62
    assert b.balance == m("230.59")  # ADB: 0.65 gross, 0.06 withheld
    assert result["products"]["EV-DAILY"] == {"accounts": 1, "gross_minor": 62}
    assert result["products"]["EV-ADB"] == {"accounts": 1, "gross_minor": 65}
    history = list(b.transactions.values_list("kind", "direction", "amount_minor"))[-2:]
    assert history == [("interest", "in", 65), ("withholding_tax", "out", 6)]
    entry = JournalEntry.objects.get(source_type="savings.interest", narrative__contains="EV-ADB")
    lines = {(ln.account.number, ln.debit_minor, ln.credit_minor) for ln in entry.lines.all()}
    # the gross interest comes out of the interest payable that end of day accrued
    # evening by evening (Dr 6000 / Cr 3380), not out of the expense
    assert lines == {
        ("3380-USD", 65, 0),
        ("3300-USD", 0, 65),
        ("3300-USD", 6, 0),
        ("4400-USD", 0, 6),
    }
    assert (a.acc_days, a.acc_balance_days, a.interest_posted_through) == (0, 0, NOV[-1])
    # the expense of November is what the three accounts earned (62 + 65 + 43), all of it
    # through the accruals; the payable is empty again
    expense = JournalLine.objects.filter(account__number="6000-USD")
    assert sum(ln.debit_minor - ln.credit_minor for ln in expense) == 62 + 65 + 43
    payable = JournalLine.objects.filter(account__number="3380-USD")
    assert sum(ln.credit_minor - ln.debit_minor for ln in payable) == 0
    # the sink's balance (USD 240 for 11 days) earns 6 % × 2,640 / 365 = 0.43 with no minimum
    assert SavingsAccount.objects.get(pk=sink.pk).balance == m("240.43")
    verify_green()


def test_running_end_of_day_twice_changes_nothing(november):
    a, b, sink = november
    first = savings_interest_post(on_date=NOV[-1])
    snapshot = list(SavingsAccount.objects.order_by("id").values_list("balance_minor", "acc_days"))
    txns, entries = SavingsTransaction.objects.count(), JournalEntry.objects.count()
    assert savings_interest_post(on_date=NOV[-1]) == first
    savings_interest_accrue(on_date=NOV[-1])
    assert (
        list(SavingsAccount.objects.order_by("id").values_list("balance_minor", "acc_days"))
        == snapshot
    )
    assert (SavingsTransaction.objects.count(), JournalEntry.objects.count()) == (txns, entries)
    assert SavingsRun.objects.filter(kind="interest_post", on_date=NOV[-1]).count() == 1
    verify_green()


def test_no_posting_before_the_period_ends(november):
    a, _b, _sink = november
    on(NOV[-1])
    result = savings_interest_post(on_date=NOV[-2])  # 29 Nov closes no period
    assert result["accounts"] == 0
    a.refresh_from_db()
    assert a.acc_days == 29 and a.balance == m("230")


def test_quarterly_product_waits_for_the_quarter(staff, make_product, make_member, open_account):
    q = make_product(code="EV-Q", interest_rate="6", posting_frequency="quarterly")
    on(dt.date(2026, 11, 30))
    acct = open_account(make_member(), q)
    bank_deposit(staff, acct, m("1000"))
    assert savings_interest_post(on_date=dt.date(2026, 11, 30))["accounts"] == 0
    on(dt.date(2026, 12, 31))
    # 1 day counted on 30 Nov, then the 31 days of December counted at once (catch-up)
    result = savings_interest_post(on_date=dt.date(2026, 12, 31))
    # 100,000 minor × 32 days × 0.06 / 365 = 526.03 → USD 5.26
    assert result["products"]["EV-Q"]["gross_minor"] == 526
    verify_green()


def test_annual_interest_posted_once_a_year_end_to_end(
    staff, make_product, make_member, open_account
):
    """An annual product (6 %, daily balance, 10 % withheld) through six month ends and
    the year end, by hand: USD 1,000 from 30 June, USD 400 moved out on 1 October.
    Every month end accrues the interest payable and posts nothing to the account; on
    31 December the year's interest is credited, the tax withheld, the payable emptied,
    and a second run changes nothing.

    Balance-days: 30 Jun–30 Sep 93 days × 100,000 + 1 Oct–31 Dec 92 days × 60,000
    = 14,820,000; × 6 % / 365 = 2,436.16 → USD 24.36 gross; tax 243.6 → USD 2.44."""
    annual = make_product(
        code="EV-AN", interest_rate="6", posting_frequency="annually", withholding_tax="10"
    )
    flat = make_product(code="EV-SINK")  # no interest: where the USD 400 goes
    on(dt.date(2026, 6, 30))
    member = make_member()
    acct = open_account(member, annual)
    sink = open_account(member, flat)
    bank_deposit(staff, acct, m("1000"))

    def payable_minor():
        lines = JournalLine.objects.filter(account__number="3380-USD")
        return sum(ln.credit_minor - ln.debit_minor for ln in lines)

    accrued = []
    for month_end in (
        dt.date(2026, 6, 30),
        dt.date(2026, 7, 31),
        dt.date(2026, 8, 31),
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 31),
        dt.date(2026, 11, 30),
    ):
        on(month_end)
        result = savings_interest_post(on_date=month_end)
        assert "EV-AN" not in result["products"]  # not a posting date for it
        acct.refresh_from_db()
        assert acct.interest_posted_through is None
        accrued.append(payable_minor())
        verify_green()  # the payable equals what the account has earned so far
        if month_end.month == 9:
            on(dt.date(2026, 10, 1))
            savings_transfer(
                actor=staff["manager"],
                from_account=acct,
                to_account=sink,
                amount=m("400"),
                idempotency_key=key(),
            )
    assert accrued == sorted(accrued) and accrued[0] > 0  # it grows month by month
    assert list(acct.transactions.values_list("kind", flat=True)) == ["deposit", "transfer"]
    # 30 June to 30 November: 93 days at 1,000 and 61 at 600
    assert (acct.acc_days, acct.acc_balance_days) == (154, 93 * 100_000 + 61 * 60_000)
    assert accrued[-1] == 2130  # 12,960,000 × 6 % / 365 = 2,130.41: in the ledger already

    year_end = dt.date(2026, 12, 31)
    on(year_end)
    result = savings_interest_post(on_date=year_end)
    assert result["products"]["EV-AN"] == {"accounts": 1, "gross_minor": 2436}
    acct.refresh_from_db()
    assert acct.balance == m("621.92")  # 600 + 24.36 − 2.44
    assert (acct.acc_days, acct.acc_balance_days, acct.interest_posted_through) == (
        0,
        0,
        year_end,
    )
    history = list(acct.transactions.values_list("kind", "direction", "amount_minor"))
    assert history[-2:] == [("interest", "in", 2436), ("withholding_tax", "out", 244)]
    entry = JournalEntry.objects.get(source_type="savings.interest", narrative__contains="EV-AN")
    assert entry.business_date == year_end and "31/12/2026" in entry.narrative
    lines = {(ln.account.number, ln.debit_minor, ln.credit_minor) for ln in entry.lines.all()}
    assert lines == {
        ("3380-USD", 2436, 0),
        ("3300-USD", 0, 2436),
        ("3300-USD", 244, 0),
        ("4400-USD", 0, 244),
    }
    expense = JournalLine.objects.filter(account__number="6000-USD")
    assert sum(ln.debit_minor - ln.credit_minor for ln in expense) == 2436
    assert payable_minor() == 0
    verify_green()
    # the same evening again: nothing more; next year starts from zero
    entries, txns = JournalEntry.objects.count(), SavingsTransaction.objects.count()
    assert savings_interest_post(on_date=year_end) == result
    assert (JournalEntry.objects.count(), SavingsTransaction.objects.count()) == (entries, txns)
    on(dt.date(2027, 1, 31))
    assert "EV-AN" not in savings_interest_post(on_date=dt.date(2027, 1, 31))["products"]
    acct.refresh_from_db()
    assert (acct.acc_days, acct.balance) == (31, m("621.92"))
    verify_green()


def test_monthly_maintenance_fee(staff, make_product, make_member, open_account):
    product = make_product(code="EV-FEE", maintenance_fee="1")
    on(dt.date(2026, 10, 15))
    rich, poor = make_member(), make_member()
    a = open_account(rich, product)
    b = open_account(poor, product)
    bank_deposit(staff, a, m("50"))
    bank_deposit(staff, b, m("0.40"))
    on(dt.date(2026, 11, 30))
    young = open_account(make_member(), product)  # opened this month: nothing yet
    bank_deposit(staff, young, m("10"))
    assert savings_maintenance_fees_charge(on_date=dt.date(2026, 11, 29))["accounts"] == 0
    result = savings_maintenance_fees_charge(on_date=dt.date(2026, 11, 30))
    assert result["accounts"] == 2
    assert savings_maintenance_fees_charge(on_date=dt.date(2026, 11, 30)) == result
    balances = dict(SavingsAccount.objects.values_list("pk", "balance_minor"))
    assert (balances[a.pk], balances[b.pk], balances[young.pk]) == (4900, 0, 1000)
    assert JournalLine.objects.filter(account__number="7030-USD").get().credit_minor == 140
    verify_green()


def test_dormancy_blocks_withdrawals_until_a_manager_reactivates(
    staff, usd_product, member, open_account, deposit, till
):
    acct = open_account(member, usd_product)
    deposit(acct, m("50"))
    opened = acct.opened_date
    assert savings_dormancy_flag(on_date=opened + dt.timedelta(days=179))["accounts"] == 0
    result = savings_dormancy_flag(on_date=opened + dt.timedelta(days=180))
    assert result["accounts"] == 1
    assert savings_dormancy_flag(on_date=opened + dt.timedelta(days=180))["accounts"] == 0
    acct.refresh_from_db()
    assert acct.status == "dormant"
    with pytest.raises(ValidationFailed) as exc:
        savings_withdraw(actor=staff["teller"], account=acct, amount=m("10"), idempotency_key=key())
    assert exc.value.code == "account_dormant"
    with pytest.raises(ValidationFailed):
        savings_account_reactivate(actor=staff["manager"], account=acct, reason="")
    savings_account_reactivate(actor=staff["manager"], account=acct, reason="Elle est revenue")
    savings_withdraw(actor=staff["teller"], account=acct, amount=m("10"), idempotency_key=key())
    verify_green()


# --- term deposits --------------------------------------------------------------------------------
@pytest.fixture
def funded(staff, usd_product, member, open_account):
    on(dt.date(2026, 11, 2))
    acct = open_account(member, usd_product)
    bank_deposit(staff, acct, m("700"))
    return acct


def _term_from(staff, term_product, member, funded, amount: str) -> SavingsAccount:
    """A term deposit of ``amount`` opened from her funded voluntary account."""
    result = term_deposit_open(
        actor=staff["teller"],
        member=member,
        product=term_product,
        amount=m(amount),
        idempotency_key=key(),
        channel="transfer",
        from_account=funded,
    )
    return SavingsAccount.objects.get(pk=result.account_id)


def test_term_deposit_matures_with_its_interest_and_is_paid_out(
    staff, term_product, member, funded
):
    result = term_deposit_open(
        actor=staff["teller"],
        member=member,
        product=term_product,
        amount=m("500"),
        idempotency_key=key(),
        channel="transfer",
        from_account=funded,
        payout_account=funded,
    )
    term = SavingsAccount.objects.get(pk=result.account_id)
    assert term.maturity_date == dt.date(2027, 5, 2) and term.gl_account.number == "3310-USD"
    with pytest.raises(ValidationFailed) as exc:
        savings_transfer(
            actor=staff["manager"],
            from_account=term,
            to_account=funded,
            amount=m("10"),
            idempotency_key=key(),
        )
    assert exc.value.code == "term_not_matured"
    on(dt.date(2026, 11, 30))
    savings_interest_post(on_date=dt.date(2026, 11, 30))  # not a term product's date
    term.refresh_from_db()
    assert term.balance == m("500") and term.acc_days == 29
    on(dt.date(2027, 5, 2))
    out = term_deposits_mature(on_date=dt.date(2027, 5, 2))
    assert out == {"matured": 1, "paid_out": 1}
    # 181 days × USD 500 × 8 % / 365 = 19.8356… → USD 19.84, paid into the voluntary account
    term.refresh_from_db()
    funded.refresh_from_db()
    assert (term.status, term.matured, term.balance_minor) == ("closed", True, 0)
    assert funded.balance_minor == 20000 + 51984 + _voluntary_interest(funded)
    assert term_deposits_mature(on_date=dt.date(2027, 5, 2)) == {"matured": 0, "paid_out": 0}
    verify_green()


def _voluntary_interest(acct) -> int:
    return sum(t.amount_minor for t in acct.transactions.filter(kind="interest"))


def test_term_deposit_broken_early_pays_the_penalty(staff, term_product, member, funded, till):
    term = _term_from(staff, term_product, member, funded, "500")
    savings_interest_accrue(on_date=term.opened_date)
    with pytest.raises(ValidationFailed):
        term_deposit_break(actor=staff["teller"], account=term, idempotency_key=key(), reason="")
    broken = term_deposit_break(
        actor=staff["teller"],
        account=term,
        idempotency_key=key(),
        reason="Stock saisi à la frontière",
    )
    assert (broken.amount, broken.fee) == (m("490"), m("10"))
    term.refresh_from_db()
    assert (term.status, term.balance_minor, term.acc_days) == ("closed", 0, 0)
    assert JournalLine.objects.get(account__number="7040-USD").credit_minor == 1000
    verify_green()


def test_a_broken_term_deposit_is_paid_only_into_her_own_account(
    staff, term_product, usd_product, member, make_member, open_account, funded
):
    term = _term_from(staff, term_product, member, funded, "500")
    someone_else = open_account(make_member(), usd_product)
    entries = JournalLine.objects.count()
    for target in (someone_else, term):
        with pytest.raises(ValidationFailed) as exc:
            term_deposit_break(
                actor=staff["manager"],
                account=term,
                idempotency_key=key(),
                reason="Besoin urgent",
                channel="transfer",
                to_account=target,
            )
        assert "to_account" in exc.value.errors
    assert JournalLine.objects.count() == entries
    term.refresh_from_db()
    assert (term.status, term.balance_minor) == ("active", 500_00)
    broken = term_deposit_break(
        actor=staff["manager"],
        account=term,
        idempotency_key=key(),
        reason="Besoin urgent",
        channel="transfer",
        to_account=funded,
    )
    assert broken.amount == m("490")
    verify_green()


def test_term_deposit_takes_no_second_deposit(staff, term_product, member, funded):
    term = _term_from(staff, term_product, member, funded, "100")
    with pytest.raises(ValidationFailed) as exc:
        bank_deposit(staff, term, m("10"))
    assert exc.value.code == "term_no_deposit"
    verify_green()
