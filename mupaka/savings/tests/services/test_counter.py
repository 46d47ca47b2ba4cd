"""Deposits, withdrawals and transfers at the counter, and the bad input of issue 5."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from mupaka.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from mupaka.ledger.models import JournalEntry, JournalLine
from mupaka.ledger.selectors import account_for
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.savings.models import SavingsAccount, SavingsTransaction
from mupaka.savings.services import (
    kyc_limit_set,
    savings_account_close,
    savings_deposit,
    savings_entry_link,
    savings_movement_line,
    savings_transfer,
    savings_withdraw,
    term_deposit_open,
)
from mupaka.savings.tests.conftest import key, m, verify_green

pytestmark = pytest.mark.django_db


def counts():
    return (
        JournalEntry.objects.count(),
        SavingsTransaction.objects.count(),
        list(SavingsAccount.objects.values_list("balance_minor", "available_minor")),
    )


def test_cash_deposit_posts_one_entry_and_updates_the_balances(
    member, usd_product, open_account, deposit, staff
):
    acct = open_account(member, usd_product)
    result = deposit(acct, m("20"))
    acct.refresh_from_db()
    assert acct.balance == m("20") and acct.available == m("15")  # minimum USD 5
    assert (result.balance, result.available, result.replayed) == (m("20"), m("15"), False)
    entry = JournalEntry.objects.get(number=result.entry_number)
    assert entry.source_type == "savings.deposit"
    lines = {ln.account.number: (ln.debit_minor, ln.credit_minor) for ln in entry.lines.all()}
    assert lines == {"5710-USD": (2000, 0), "3300-USD": (0, 2000)}
    saving_line = entry.lines.get(account__number="3300-USD")
    assert (saving_line.member_id, saving_line.subledger_id) == (member.pk, str(acct.pk))
    txn = SavingsTransaction.objects.get(pk=result.transaction_id)
    assert (txn.kind, txn.direction, txn.balance_after_minor, txn.entry_id, txn.channel) == (
        "deposit",
        "in",
        2000,
        entry.number,
        "cash",
    )
    verify_green()


def test_a_double_submit_moves_the_money_once(member, usd_product, open_account, deposit):
    acct = open_account(member, usd_product)
    k = key()
    first = deposit(acct, m("20"), idempotency_key=k)
    again = deposit(acct, m("20"), idempotency_key=k)
    assert again.replayed and again.transaction_id == first.transaction_id
    assert again.balance == m("20") and again.entry_number == first.entry_number
    acct.refresh_from_db()
    assert acct.balance_minor == 2000
    with pytest.raises(Conflict) as exc:
        deposit(acct, m("21"), idempotency_key=k)
    assert exc.value.code == "idempotency_conflict"
    verify_green()


def test_deposit_in_another_currency_is_refused_and_nothing_is_written(
    member, usd_product, open_account, deposit
):
    acct = open_account(member, usd_product)
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        deposit(acct, m("50000", "CDF"))
    assert exc.value.code == "currency_mismatch"
    assert "exchange desk" in exc.value.message and exc.value.errors == {
        "amount": [exc.value.message]
    }
    assert counts() == before
    verify_green()


def test_deposit_on_a_dormant_or_closed_account_is_refused(
    member, usd_product, open_account, deposit, staff
):
    dormant = open_account(member, usd_product)
    SavingsAccount.objects.filter(pk=dormant.pk).update(status="dormant")
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        deposit(dormant, m("20"))
    assert exc.value.code == "account_dormant" and "reactivate" in exc.value.message
    closed = open_account(member, usd_product)
    savings_account_close(actor=staff["manager"], account=closed, reason="Test")
    with pytest.raises(ValidationFailed) as exc:
        deposit(closed, m("20"))
    assert exc.value.code == "account_closed"
    assert counts()[:2] == before[:2]
    verify_green()


def test_withdrawal_takes_the_fee_in_the_same_entry(
    member, usd_product, open_account, deposit, staff
):
    acct = open_account(member, usd_product)
    deposit(acct, m("100"))
    result = savings_withdraw(
        actor=staff["teller"], account=acct, amount=m("40"), idempotency_key=key()
    )
    assert (result.fee, result.balance, result.available) == (m("0.50"), m("59.50"), m("54.50"))
    entry = JournalEntry.objects.get(number=result.entry_number)
    totals = {}
    for ln in entry.lines.select_related("account"):
        d, c = totals.get(ln.account.number, (0, 0))
        totals[ln.account.number] = (d + ln.debit_minor, c + ln.credit_minor)
    assert totals == {"3300-USD": (4050, 0), "5710-USD": (0, 4000), "7030-USD": (0, 50)}
    kinds = list(
        SavingsTransaction.objects.filter(entry_id=entry.number).values_list("kind", "amount_minor")
    )
    assert kinds == [("withdrawal", 4000), ("fee", 50)]
    verify_green()


def test_withdrawal_above_the_available_balance_is_refused(
    member, usd_product, open_account, deposit, staff
):
    acct = open_account(member, usd_product)
    deposit(acct, m("100"))
    before = counts()
    # available 95.00 (minimum 5); 95 + fee 0.50 does not fit
    with pytest.raises(ValidationFailed) as exc:
        savings_withdraw(actor=staff["teller"], account=acct, amount=m("95"), idempotency_key=key())
    assert exc.value.code == "insufficient_available"
    assert "95.00 USD available" in exc.value.message
    assert counts() == before
    result = savings_withdraw(
        actor=staff["teller"], account=acct, amount=m("94"), idempotency_key=key()
    )
    assert result.available == m("0.50")
    verify_green()


def test_withdrawal_must_be_payable_in_notes(member, cdf_product, open_account, deposit, staff):
    acct = open_account(member, cdf_product)
    deposit(acct, m("50000", "CDF"))
    with pytest.raises(ValidationFailed) as exc:
        savings_withdraw(
            actor=staff["teller"], account=acct, amount=m("1020", "CDF"), idempotency_key=key()
        )
    assert exc.value.code == "not_cash_multiple"
    verify_green()


def test_no_open_till_no_cash(member, usd_product, open_account, chart, staff, make_user):
    acct = open_account(member, usd_product)
    other_teller = make_user("teller", username="teller-2")
    with pytest.raises(ValidationFailed) as exc:
        savings_deposit(actor=other_teller, account=acct, amount=m("20"), idempotency_key=key())
    assert exc.value.code == "no_open_till"
    assert SavingsTransaction.objects.count() == 0
    verify_green()


def test_only_tellers_take_cash(member, usd_product, open_account, till, staff):
    acct = open_account(member, usd_product)
    for role in ("officer", "auditor", "accountant"):
        with pytest.raises(PermissionDenied):
            savings_deposit(actor=staff[role], account=acct, amount=m("20"), idempotency_key=key())


def test_bank_deposit_by_the_accountant(member, usd_product, open_account, staff, chart):
    acct = open_account(member, usd_product)
    result = savings_deposit(
        actor=staff["accountant"],
        account=acct,
        amount=m("35"),
        idempotency_key=key(),
        channel="bank",
        memo="Virement M-Pesa 8841",
    )
    lines = JournalLine.objects.filter(entry_id=result.entry_number).select_related("account")
    assert {ln.account.number for ln in lines} == {"5200-USD", "3300-USD"}
    verify_green()


def test_tier_zero_limits(make_member, usd_product, open_account, deposit, staff, chart):
    kyc_limit_set(
        actor=staff["manager"],
        tier=0,
        currency="USD",
        max_balance="200",
        max_withdrawal_per_day="50",
    )
    no_id = make_member(id_type="none", id_number="")
    acct = open_account(no_id, usd_product)
    second = open_account(no_id, usd_product)
    deposit(acct, m("150"))
    deposit(second, m("50"))
    before = counts()
    lines_before = JournalLine.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        deposit(second, m("0.01"))
    assert exc.value.code == "tier_max_balance" and "tier 0" in exc.value.message
    # nothing written: balances, savings transactions, journal entries and lines
    assert counts() == before and JournalLine.objects.count() == lines_before
    assert list(
        SavingsAccount.objects.filter(member=no_id)
        .order_by("id")
        .values_list("balance_minor", flat=True)
    ) == [15000, 5000]
    savings_withdraw(actor=staff["teller"], account=acct, amount=m("30"), idempotency_key=key())
    before, lines_before = counts(), JournalLine.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        savings_withdraw(
            actor=staff["teller"], account=second, amount=m("21"), idempotency_key=key()
        )
    assert exc.value.code == "tier_daily_withdrawal"
    assert counts() == before and JournalLine.objects.count() == lines_before
    # a member with a valid document is not limited
    with_id = make_member()
    rich = open_account(with_id, usd_product)
    deposit(rich, m("1000"))
    verify_green()


def test_only_a_limited_operation_takes_the_member_lock(
    make_member, usd_product, open_account, deposit, staff
):
    """The counter's fast path: a member without a limit costs no statement more when
    the institution sets tier-0 limits; a tier-0 member's deposit takes her limit lock
    (PostgreSQL; SQLite's write transaction is exclusive) and sums her accounts."""
    rich = open_account(make_member(), usd_product)
    poor = open_account(make_member(id_type="none", id_number=""), usd_product)

    def statements(account) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            deposit(account, m("10"))
        return [q["sql"] for q in ctx.captured_queries]

    statements(rich)  # caches warm
    before = statements(rich)
    kyc_limit_set(
        actor=staff["manager"],
        tier=0,
        currency="USD",
        max_balance="500",
        max_withdrawal_per_day="50",
    )
    assert len(statements(rich)) == len(before)
    assert not any("pg_advisory" in sql for sql in before)
    limited = statements(poor)
    assert any("SUM(balance_minor)" in sql for sql in limited)
    took_lock = any("pg_advisory_xact_lock" in sql for sql in limited)
    assert took_lock == (connection.vendor == "postgresql")


def test_tier_zero_money_moving_between_her_own_accounts_is_counted_once(
    make_member, usd_product, term_product, open_account, deposit, staff, chart
):
    """At her maximum balance she may still move money from one of her accounts to
    another (a transfer, a term deposit opened from her savings): her total does not
    change. Money from outside is refused."""
    kyc_limit_set(
        actor=staff["manager"],
        tier=0,
        currency="USD",
        max_balance="200",
        max_withdrawal_per_day=None,
    )
    no_id = make_member(id_type="none", id_number="")
    a, b = open_account(no_id, usd_product), open_account(no_id, usd_product)
    deposit(a, m("200"))
    result = savings_transfer(
        actor=staff["teller"], from_account=a, to_account=b, amount=m("50"), idempotency_key=key()
    )
    assert (result.out.balance, result.into.balance) == (m("150"), m("50"))
    term = term_deposit_open(
        actor=staff["teller"],
        member=no_id,
        product=term_product,
        amount=m("100"),
        idempotency_key=key(),
        channel="transfer",
        from_account=a,
    )
    assert term.balance == m("100")
    balances = SavingsAccount.objects.filter(member=no_id).values_list("balance_minor", flat=True)
    assert sum(balances) == 20000
    with pytest.raises(ValidationFailed) as exc:
        deposit(b, m("1"))
    assert exc.value.code == "tier_max_balance"
    verify_green()


@pytest.fixture
def limited_200(make_member, usd_product, open_account, deposit, staff):
    """A tier-0 member (no ID) allowed USD 50 a day, with USD 200 on her account."""
    kyc_limit_set(
        actor=staff["manager"],
        tier=0,
        currency="USD",
        max_balance=None,
        max_withdrawal_per_day="50",
    )
    no_id = make_member(id_type="none", id_number="")
    acct = open_account(no_id, usd_product)
    deposit(acct, m("200"))
    return acct


def test_tier_zero_daily_limit_counts_withdrawals_not_payments_to_the_institution(
    limited_200, staff, bdate
):
    """The daily limit is on what she takes out (withdrawals, transfers): paying a loan
    instalment from her savings is neither held to it nor counted in it."""
    acct = limited_200
    with transaction.atomic():
        line = savings_movement_line(
            actor=staff["teller"],
            account=acct,
            amount=m("80"),
            direction="out",
            kind="loan_repayment",
            business_date=bdate,
            reference="loans.loan:17",
        )
        entry = journal_post(
            actor=staff["teller"],
            business_date=bdate,
            narrative="Remboursement crédit 17",
            lines=[line, LineSpec.cr(account_for("suspense", "USD"), m("80"))],
            source_type="loans.repayment",
            source_id=17,
            idempotency_key=key(),
        )
        savings_entry_link(entry=entry, lines=[line])
    paid = savings_withdraw(
        actor=staff["teller"], account=acct, amount=m("50"), idempotency_key=key()
    )
    assert paid.balance == m("69.50")  # 200 − 80 − 50 − the fee of 0.50
    with pytest.raises(ValidationFailed) as exc:
        savings_withdraw(actor=staff["teller"], account=acct, amount=m("1"), idempotency_key=key())
    assert exc.value.code == "tier_daily_withdrawal"
    verify_green()


def test_a_reversed_withdrawal_gives_her_daily_allowance_back(limited_200, staff):
    from mupaka.savings.services import savings_reversal_approve, savings_reversal_request

    acct = limited_200
    paid = savings_withdraw(
        actor=staff["teller"], account=acct, amount=m("50"), idempotency_key=key()
    )
    with pytest.raises(ValidationFailed) as exc:
        savings_withdraw(actor=staff["teller"], account=acct, amount=m("20"), idempotency_key=key())
    assert exc.value.code == "tier_daily_withdrawal"
    asked = savings_reversal_request(
        actor=staff["teller"], transaction_id=paid.transaction_id, reason="Montant erroné"
    )
    savings_reversal_approve(actor=staff["manager"], request=asked, idempotency_key=key())
    again = savings_withdraw(
        actor=staff["teller"], account=acct, amount=m("20"), idempotency_key=key()
    )
    assert again.balance == m("179.50")  # 200, the 50.50 given back, − 20 − 0.50
    verify_green()


def test_transfer_between_two_accounts(
    member, usd_product, open_account, deposit, staff, make_member
):
    a = open_account(member, usd_product)
    b = open_account(make_member(), usd_product)
    deposit(a, m("60"))
    result = savings_transfer(
        actor=staff["teller"], from_account=a, to_account=b, amount=m("25"), idempotency_key=key()
    )
    assert (result.out.balance, result.into.balance) == (m("35"), m("25"))
    assert SavingsTransaction.objects.filter(kind="transfer").count() == 2
    verify_green()


def test_transfer_in_another_currency_is_refused(
    member, usd_product, cdf_product, open_account, deposit, staff
):
    a = open_account(member, usd_product)
    b = open_account(member, cdf_product)
    deposit(a, m("60"))
    with pytest.raises(ValidationFailed) as exc:
        savings_transfer(
            actor=staff["teller"],
            from_account=a,
            to_account=b,
            amount=m("10"),
            idempotency_key=key(),
        )
    assert exc.value.code == "currency_mismatch"
    verify_green()


def test_bad_amounts(member, usd_product, open_account, deposit):
    acct = open_account(member, usd_product)
    for bad in ("0", "-5", "1.005"):
        with pytest.raises(ValidationFailed) as exc:
            deposit(acct, m(bad))
        assert "amount" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        deposit(acct, m("1"), idempotency_key="")
    assert exc.value.code == "idempotency_key_missing"
    verify_green()


def test_rwf_deposit_of_scenario_3(member, rwf_product, open_account, deposit):
    acct = open_account(member, rwf_product)
    result = deposit(acct, m("12000", "RWF"))
    assert result.balance == m("12000", "RWF")
    assert (
        JournalLine.objects.get(
            entry_id=result.entry_number, account__number="5710-RWF"
        ).debit_minor
        == 12000
    )
    verify_green()


def test_listeners_hear_of_committed_operations_only(
    member, usd_product, open_account, deposit, staff, django_capture_on_commit_callbacks
):
    """The SMS receipt's hook: after commit, each listener gets the operation's savings
    transaction ids (a withdrawal: the withdrawal and its fee); a refused operation calls
    no one; a failing listener never undoes the money."""
    from mupaka.savings import hooks

    heard = []

    def broken(ids):
        raise RuntimeError("SMS gateway down")

    hooks.register_listener(broken)
    hooks.register_listener(heard.append)
    try:
        acct = open_account(member, usd_product)
        with django_capture_on_commit_callbacks(execute=True):
            first = deposit(acct, m("100"))
        with django_capture_on_commit_callbacks(execute=True):
            out = savings_withdraw(
                actor=staff["teller"], account=acct, amount=m("10"), idempotency_key=key()
            )
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationFailed):
            savings_withdraw(
                actor=staff["teller"], account=acct, amount=m("500"), idempotency_key=key()
            )
    finally:
        hooks.unregister_listener(broken)
        hooks.unregister_listener(heard.append)
    fee = SavingsTransaction.objects.get(entry_id=out.entry_number, kind="fee")
    assert heard == [[first.transaction_id], [out.transaction_id, fee.pk]]
    assert SavingsAccount.objects.get(pk=acct.pk).balance_minor == 10000 - 1000 - 50
