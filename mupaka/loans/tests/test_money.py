"""Disbursement and repayment through the services, each ending with `verify` green."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from mupaka.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from mupaka.core.money import Money
from mupaka.ledger.models import JournalEntry
from mupaka.ledger.selectors import role_balance
from mupaka.loans import selectors, services
from mupaka.loans.models import Loan, LoanInstallment, LoanStatus, LoanTransaction, TxKind
from mupaka.loans.services import CashFlowData, ProductData, ShareData
from mupaka.loans.tests.conftest import key, usd

pytestmark = pytest.mark.django_db

FLOW = CashFlowData(daily_sales="60", daily_purchases="30", household_costs="60")


def till_usd(staff) -> int:
    from mupaka.tellers.selectors import till_balance_minor, till_open_for

    return till_balance_minor(till_open_for(user=staff["teller"]), "USD")


def make_loan(staff, member, product, amount="300", n=6, rate=None, **kw) -> Loan:
    loan = services.loan_apply(
        actor=staff["officer"],
        member=member,
        product=product,
        principal=usd(amount),
        installments=n,
        annual_rate=rate,
        purpose="Stock",
        cash_flow=FLOW,
        **kw,
    )
    return services.loan_approve(actor=staff["committee"], loan=loan)


def disbursed(staff, member, product, **kw) -> Loan:
    loan = make_loan(staff, member, product, **kw)
    services.loan_disburse(actor=staff["teller"], loan=loan, idempotency_key=key())
    loan.refresh_from_db()
    return loan


def repay(staff, loan, amount, **kw) -> LoanTransaction:
    return services.loan_repay(
        actor=kw.pop("actor", staff["teller"]),
        loan=loan,
        amount=usd(amount) if isinstance(amount, str) else amount,
        idempotency_key=kw.pop("idempotency_key", key()),
        **kw,
    )


@pytest.fixture
def flat_product(chart, staff):
    """Scenario 3's loan: USD 500, 15 monthly instalments, 30 % flat → instalment 45.83."""
    return services.loan_product_create(
        actor=staff["manager"],
        data=ProductData(
            code="FLAT-USD",
            name="Crédit flat mensuel",
            currency="USD",
            min_principal="100",
            max_principal="1000",
            min_installments=3,
            max_installments=18,
            frequency="months",
            interest_method="flat",
            min_rate="30",
            max_rate="30",
            penalty="percent-of-overdue",
            penalty_amount="5",
            penalty_tolerance_days=3,
        ),
    )


@pytest.fixture
def payoff_product(chart, staff):
    return services.loan_product_create(
        actor=staff["manager"],
        data=ProductData(
            code="PAYOFF-USD",
            name="Crédit remboursable par anticipation",
            currency="USD",
            min_principal="100",
            max_principal="1000",
            min_installments=2,
            max_installments=12,
            frequency="months",
            interest_method="declining",
            min_rate="24",
            max_rate="24",
            prepayment="interest-to-date",
        ),
    )


def test_disbursement_in_cash_fixes_the_schedule_and_posts_one_entry(
    staff, member, trader_product, till, institution, verify_green
):
    cash_before = till_usd(staff)
    loan = make_loan(staff, member, trader_product)
    tx = services.loan_disburse(actor=staff["teller"], loan=loan, idempotency_key=key())
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE
    assert loan.disbursed_on == institution.business_date
    rows = list(LoanInstallment.objects.filter(loan=loan).order_by("number"))
    assert [r.due_date for r in rows][:2] == [dt.date(2026, 12, 2), dt.date(2027, 1, 2)]
    assert sum(r.principal_minor for r in rows) == 30000
    assert loan.principal_outstanding_minor == 30000
    entry = tx.journal_entry
    assert entry.source_type == "loans.disbursement"
    assert till_usd(staff) == cash_before - 30000
    assert role_balance("loan_portfolio", "USD").net_minor == 30000
    verify_green()


def test_disbursement_refusals(staff, member, trader_product, till):
    loan = services.loan_apply(
        actor=staff["officer"],
        member=member,
        product=trader_product,
        principal=usd("300"),
        purpose="Stock",
        cash_flow=FLOW,
    )
    with pytest.raises(ValidationFailed) as exc:
        services.loan_disburse(actor=staff["teller"], loan=loan, idempotency_key=key())
    assert exc.value.code == "wrong_status"
    services.loan_approve(actor=staff["committee"], loan=loan)
    with pytest.raises(PermissionDenied):
        services.loan_disburse(actor=staff["officer"], loan=loan, idempotency_key=key())
    with pytest.raises(ValidationFailed) as exc:
        services.loan_disburse(actor=staff["teller"], loan=loan, idempotency_key="")
    assert exc.value.code == "idempotency_key_missing"
    assert LoanTransaction.objects.count() == 0


def test_a_double_click_disburses_once(staff, member, trader_product, till):
    loan = make_loan(staff, member, trader_product)
    k = key()
    first = services.loan_disburse(actor=staff["teller"], loan=loan, idempotency_key=k)
    entries = JournalEntry.objects.count()
    again = services.loan_disburse(actor=staff["teller"], loan=loan, idempotency_key=k)
    assert again.pk == first.pk
    assert JournalEntry.objects.count() == entries


def test_scenario_3_partial_repayment_penalties_fees_interest_then_principal(
    staff, member, flat_product, till, verify_green
):
    loan = disbursed(staff, member, flat_product, amount="500", n=15)
    first = loan.schedule_rows.order_by("number").first()
    assert (first.principal_minor + first.interest_minor) == 4583
    cash = till_usd(staff)
    tx = repay(staff, loan, "45.50")
    assert (tx.interest_minor, tx.principal_minor, tx.fees_minor, tx.penalties_minor) == (
        1250,
        3300,
        0,
        0,
    )
    assert till_usd(staff) == cash + 4550
    assert role_balance("interest_income", "USD").net_minor == -1250
    loan.refresh_from_db()
    assert loan.principal_outstanding_minor == 50000 - 3300
    first.refresh_from_db()
    assert first.outstanding_minor == 33 and first.completed_on is None
    verify_green()


def test_a_double_click_repays_once_and_a_reused_key_is_refused(
    staff, member, trader_product, till
):
    loan = disbursed(staff, member, trader_product)
    k = key()
    a = repay(staff, loan, "20", idempotency_key=k)
    b = repay(staff, loan, "20", idempotency_key=k)
    assert a.pk == b.pk
    assert LoanTransaction.objects.filter(kind=TxKind.REPAYMENT).count() == 1
    with pytest.raises(Conflict):
        repay(staff, loan, "25", idempotency_key=k)


@pytest.mark.parametrize(
    "amount,code",
    [
        (Money.of("20", "CDF"), "currency_mismatch"),
        (Money.of("0", "USD"), "not_positive"),
        (Money.of("-5", "USD"), "not_positive"),
        (Money.of("1.005", "USD"), "too_many_decimals"),
    ],
)
def test_bad_repayments_are_refused_and_nothing_is_written(
    staff, member, trader_product, till, amount, code
):
    loan = disbursed(staff, member, trader_product)
    before = (LoanTransaction.objects.count(), JournalEntry.objects.count(), till_usd(staff))
    with pytest.raises(ValidationFailed) as exc:
        repay(staff, loan, amount)
    assert exc.value.code == code
    assert "amount" in exc.value.errors
    assert (
        LoanTransaction.objects.count(),
        JournalEntry.objects.count(),
        till_usd(staff),
    ) == before


def test_late_repayment_pays_the_penalty_first(
    staff, member, flat_product, till, move_to, verify_green
):
    loan = disbursed(staff, member, flat_product, amount="500", n=15)
    move_to(dt.date(2026, 12, 10))  # instalment 1 due 02/12, tolerance 3 days
    run = services.loan_penalties_apply(on_date=dt.date(2026, 12, 10))
    assert run.penalties == 1
    loan.refresh_from_db()
    assert loan.penalties_outstanding_minor == 229  # 5 % of 45.83
    assert loan.days_past_due == 8
    again = services.loan_penalties_apply(on_date=dt.date(2026, 12, 10))
    assert again.penalties == 0
    tx = repay(staff, loan, "48.12")
    assert (tx.penalties_minor, tx.interest_minor, tx.principal_minor) == (229, 1250, 3333)
    loan.refresh_from_db()
    assert loan.days_past_due == 0 and loan.penalties_outstanding_minor == 0
    assert role_balance("penalty_income", "USD").net_minor == -229
    verify_green()


def test_early_repayment_settles_future_instalments_as_scheduled(
    staff, member, trader_product, till, verify_green
):
    loan = disbursed(staff, member, trader_product, amount="300", n=3, rate="24")
    rows = list(loan.schedule_rows.order_by("number"))
    two = sum(r.principal_minor + r.interest_minor for r in rows[:2])
    repay(staff, loan, Money.from_minor(two, "USD"))
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE
    assert loan.next_due_date == rows[2].due_date
    assert loan.days_past_due == 0
    verify_green()


def test_payoff_with_interest_to_date_closes_the_loan(
    staff, member, payoff_product, till, move_to, verify_green
):
    loan = disbursed(staff, member, payoff_product, amount="600", n=6)
    scheduled_interest = sum(r.interest_minor for r in loan.schedule_rows.all())
    move_to(dt.date(2026, 11, 17))
    summary = selectors.loan_summary(loan)
    assert summary.payoff < summary.total
    tx = repay(staff, loan, summary.payoff)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED
    assert tx.principal_minor == 60000
    assert 0 < tx.interest_minor < scheduled_interest
    assert loan.credit_minor == 0
    verify_green()
    with pytest.raises(ValidationFailed) as exc:
        repay(staff, loan, "10")
    assert exc.value.code == "wrong_status"
    assert loan.number in exc.value.message


def test_overpayment_becomes_a_refundable_credit_balance(
    staff, member, trader_product, till, verify_green
):
    loan = disbursed(staff, member, trader_product, amount="300", n=3, rate="24")
    total = selectors.loan_summary(loan).total
    tx = repay(staff, loan, total + usd("12.40"))
    assert tx.credit_minor == 1240
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED and loan.credit_minor == 1240
    assert role_balance("overpayment_liability", "USD").net_minor == -1240
    verify_green()
    with pytest.raises(ValidationFailed) as exc:
        services.loan_credit_refund(
            actor=staff["teller"], loan=loan, amount=usd("12.41"), idempotency_key=key()
        )
    assert exc.value.code == "above_credit"
    with pytest.raises(ValidationFailed) as exc:  # the till pays whole dollars only
        services.loan_credit_refund(
            actor=staff["teller"], loan=loan, amount=usd("12.40"), idempotency_key=key()
        )
    assert exc.value.code == "not_cash_multiple"
    cash = till_usd(staff)
    services.loan_credit_refund(
        actor=staff["teller"], loan=loan, amount=usd("12"), idempotency_key=key()
    )
    loan.refresh_from_db()
    assert loan.credit_minor == 40
    assert till_usd(staff) == cash - 1200
    verify_green()


def test_repayment_and_disbursement_through_savings(
    staff, member, trader_product, till, savings_account, verify_green
):
    from mupaka.savings.models import SavingsAccount

    account = savings_account(member, deposit="100")
    loan = make_loan(staff, member, trader_product)
    services.loan_disburse(
        actor=staff["teller"], loan=loan, channel="savings", idempotency_key=key()
    )
    account.refresh_from_db()
    assert account.balance_minor == 40000
    repay(staff, loan, "60", channel="savings")
    account = SavingsAccount.objects.get(pk=account.pk)
    assert account.balance_minor == 34000
    verify_green()


def test_scenario_2_group_disbursement_late_member_and_leader_covering(
    staff, umoja, group_product, till, move_to, verify_green
):
    from mupaka.savings.models import SavingsHold

    group, members = umoja
    g = services.group_loan_apply(
        actor=staff["officer"],
        group=group,
        product=group_product,
        shares=[ShareData(member=m, principal=usd("200")) for m in members],
        installments=12,
        purpose="Commerce",
    )
    shares = list(g.shares.order_by("pk"))
    services.group_loan_approve(
        actor=staff["committee"], group_loan=g, approved={shares[3].pk: usd("100")}
    )
    cash = till_usd(staff)
    txs = services.group_loan_disburse(actor=staff["teller"], group_loan=g, idempotency_key=key())
    assert len(txs) == 5 and len({t.journal_entry_id for t in txs}) == 1
    # 900 lent, 2 % fee (18) and 10 % guarantee (90) held back: 792 paid out
    assert till_usd(staff) == cash - 79200
    assert role_balance("fee_income", "USD").net_minor == -1800
    holds = SavingsHold.objects.filter(status="active")
    assert sorted(h.amount_minor for h in holds) == [1000, 2000, 2000, 2000, 2000]
    disclosure = selectors.disclosure(Loan.objects.get(pk=shares[0].pk))
    assert disclosure.apr > Decimal("24")
    verify_green()
    # week 1: everybody pays but Neema
    move_to(dt.date(2026, 11, 9))
    loans = {s.member_id: Loan.objects.get(pk=s.pk) for s in shares}
    for m in members:
        if m.first_name != "Neema":
            due = selectors.loan_summary(loans[m.pk]).due_today
            repay(staff, loans[m.pk], due)
    move_to(dt.date(2026, 11, 16), cash=False)
    services.loan_penalties_apply(on_date=dt.date(2026, 11, 16))
    late = list(selectors.arrears_list(user=staff["officer"]))
    assert [loan.member.first_name for loan in late] == ["Neema"]
    assert late[0].days_past_due == 7
    assert late[0].member.phone and late[0].group_loan.leader.first_name == "Zawadi"
    # the leader covers Neema's instalments
    move_to(dt.date(2026, 11, 16))
    neema = loans[members[1].pk]
    due = selectors.loan_summary(neema).due_today
    tx = repay(staff, neema, due, paid_by=members[0])
    assert tx.paid_by == members[0]
    neema.refresh_from_db()
    assert neema.days_past_due == 0
    verify_green()


def test_closure_releases_the_guarantee(staff, umoja, group_product, till, verify_green):
    from mupaka.savings.models import SavingsHold

    group, members = umoja
    g = services.group_loan_apply(
        actor=staff["officer"],
        group=group,
        product=group_product,
        shares=[ShareData(member=m, principal=usd("100")) for m in members[:3]],
        installments=4,
        purpose="Commerce",
    )
    services.group_loan_approve(actor=staff["committee"], group_loan=g)
    services.group_loan_disburse(actor=staff["teller"], group_loan=g, idempotency_key=key())
    loan = g.shares.order_by("pk").first()
    repay(staff, loan, selectors.loan_summary(loan).payoff)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED and loan.guarantee_released
    assert SavingsHold.objects.filter(status="active").count() == 2
    assert loan.transactions.filter(kind=TxKind.GUARANTEE_RELEASE).exists()
    verify_green()


def test_member_loans_due_for_the_teller_screen(staff, member, trader_product, till, move_to):
    loan = disbursed(staff, member, trader_product, amount="300", n=3, rate="24")
    move_to(dt.date(2026, 12, 2), cash=False)
    due = selectors.member_loans_due(user=staff["teller"], member=member)
    assert len(due) == 1
    first = loan.schedule_rows.order_by("number").first()
    assert due[0].due_today.minor == first.principal_minor + first.interest_minor
    assert due[0].days_past_due == 0
    assert due[0].payoff >= due[0].due_today


def test_a_product_posts_to_its_own_accounts(staff, member, trader_product, till, verify_green):
    from mupaka.ledger.models import Account

    with pytest.raises(PermissionDenied):
        services.loan_product_account_set(
            actor=staff["manager"],
            product=trader_product,
            role="interest_income",
            account="7020-USD",
        )
    services.loan_product_account_set(
        actor=staff["accountant"],
        product=trader_product,
        role="interest_income",
        account="7020-USD",
    )
    loan = disbursed(staff, member, trader_product)
    tx = repay(staff, loan, "50")
    own = Account.objects.get(number="7020-USD")
    assert tx.journal_entry.lines.filter(account=own, credit_minor=tx.interest_minor).exists()
    with pytest.raises(ValidationFailed) as exc:
        services.loan_product_account_set(
            actor=staff["accountant"],
            product=trader_product,
            role="loan_portfolio",
            account="3900-USD",
        )
    assert exc.value.code == "balance_role_in_use"
    rows = dict(
        (role, own_) for role, _account, own_ in services.loan_product_accounts(trader_product)
    )
    assert rows["interest_income"] is True and rows["loan_portfolio"] is False
    verify_green()


def test_a_group_loan_closes_with_its_last_share(staff, umoja, group_product, till, verify_green):
    from django.core.management import call_command

    from mupaka.loans.models import GroupLoan

    group, members = umoja
    g = services.group_loan_apply(
        actor=staff["officer"],
        group=group,
        product=group_product,
        shares=[ShareData(member=m, principal=usd("100")) for m in members[:3]],
        installments=4,
        purpose="Commerce",
    )
    services.group_loan_approve(actor=staff["committee"], group_loan=g)
    services.group_loan_disburse(actor=staff["teller"], group_loan=g, idempotency_key=key())
    shares = list(g.shares.order_by("pk"))
    for i, share in enumerate(shares):
        repay(staff, share, selectors.loan_summary(share).payoff)
        expected = "closed" if i == len(shares) - 1 else "active"
        assert GroupLoan.objects.get(pk=g.pk).status == expected
    call_command("verify")  # exits non-zero on any failed check
    verify_green()
