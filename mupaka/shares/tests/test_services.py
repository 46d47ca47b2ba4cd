"""Scenario 1 end to end, purchases, and redemption with a second person."""

from __future__ import annotations

import pytest

from mupaka.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from mupaka.ledger.models import JournalEntry
from mupaka.members.services import member_status_change
from mupaka.savings.services import savings_account_close
from mupaka.savings.tests.conftest import key, m, verify_green
from mupaka.shares import hooks
from mupaka.shares.models import ShareHolding, ShareRedemption, ShareTransaction
from mupaka.shares.services import (
    register_redemption_check,
    share_product_set,
    shares_purchase,
    shares_redeem_decide,
    shares_redeem_pay,
    shares_redeem_request,
)

pytestmark = pytest.mark.django_db


def entry_lines(number):
    out = {}
    for ln in JournalEntry.objects.get(number=number).lines.select_related("account"):
        d, c = out.get(ln.account.number, (0, 0))
        out[ln.account.number] = (d + ln.debit_minor, c + ln.credit_minor)
    return out


def test_scenario_1_furaha_joins(
    share_product,
    pending,
    staff,
    till,
    usd_product,
    cdf_product,
    open_account,
    deposit,
    django_capture_on_commit_callbacks,
):
    """Entry fee USD 5 + 2 shares × USD 10 in cash → active; then a USD account with
    USD 20 and a CDF account with FC 50,000; every check green."""
    seen = []
    hooks.register_listener(lambda **e: seen.append(e))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = shares_purchase(
                actor=staff["teller"], member=pending, shares=2, idempotency_key=key()
            )
    finally:
        hooks._LISTENERS.clear()
    assert result.member_activated and result.total == m("25")
    assert (result.shares_held, result.shares_minor, result.entry_fee_minor) == (2, 2000, 500)
    assert seen == [{"member_id": pending.pk, "holding_id": result.holding_id, "joined": True}]
    pending.refresh_from_db()
    assert pending.status == "active"
    assert entry_lines(result.entry_number) == {
        "5710-USD": (2500, 0),
        "1000-USD": (0, 2000),
        "7100-USD": (0, 500),
    }
    usd = open_account(pending, usd_product, actor=staff["teller"])
    cdf = open_account(pending, cdf_product, actor=staff["teller"])
    deposit(usd, m("20"))
    deposit(cdf, m("50000", "CDF"))
    usd.refresh_from_db()
    cdf.refresh_from_db()
    assert (usd.balance, cdf.balance) == (m("20"), m("50000", "CDF"))
    verify_green()


def test_a_double_submit_pays_once(share_product, pending, staff, till):
    k = key()
    first = shares_purchase(actor=staff["teller"], member=pending, shares=2, idempotency_key=k)
    again = shares_purchase(actor=staff["teller"], member=pending, shares=2, idempotency_key=k)
    assert again.replayed and again.entry_number == first.entry_number and again.total == m("25")
    assert ShareTransaction.objects.count() == 2
    with pytest.raises(Conflict):
        shares_purchase(actor=staff["teller"], member=pending, shares=3, idempotency_key=k)
    verify_green()


def test_a_pending_member_buys_at_least_the_minimum(share_product, pending, staff, till):
    with pytest.raises(ValidationFailed) as exc:
        shares_purchase(actor=staff["teller"], member=pending, shares=1, idempotency_key=key())
    assert exc.value.code == "below_minimum" and "shares" in exc.value.errors
    assert not ShareHolding.objects.filter(shares__gt=0).exists()
    # the entry fee alone first, the shares later: active after the second payment
    fee = shares_purchase(actor=staff["teller"], member=pending, shares=0, idempotency_key=key())
    assert (fee.entry_fee_minor, fee.member_activated) == (500, False)
    later = shares_purchase(actor=staff["teller"], member=pending, shares=2, idempotency_key=key())
    assert (later.entry_fee_minor, later.member_activated) == (0, True)
    more = shares_purchase(actor=staff["teller"], member=pending, shares=1, idempotency_key=key())
    assert more.shares_held == 3 and not more.member_activated
    with pytest.raises(ValidationFailed) as exc:
        shares_purchase(actor=staff["teller"], member=pending, shares=48, idempotency_key=key())
    assert exc.value.code == "above_maximum"
    verify_green()


def test_buying_from_savings(
    member, share_product, staff, till, usd_product, open_account, deposit
):
    # (an active member from before the share product: her first purchase pays the fee)
    acct = open_account(member, usd_product)
    deposit(acct, m("100"))
    result = shares_purchase(
        actor=staff["teller"],
        member=member,
        shares=3,
        idempotency_key=key(),
        channel="savings",
        savings_account=acct,
    )
    acct.refresh_from_db()
    assert acct.balance == m("65")  # 3 × 10 + entry fee 5
    assert entry_lines(result.entry_number)["3300-USD"] == (3500, 0)
    verify_green()


def test_an_exited_member_buys_nothing_and_the_product_is_needed(chart, staff, make_member, till):
    with pytest.raises(ValidationFailed) as exc:
        shares_purchase(
            actor=staff["teller"], member=make_member(), shares=2, idempotency_key=key()
        )
    assert exc.value.code == "no_share_product"
    with pytest.raises(PermissionDenied):
        shares_purchase(
            actor=staff["officer"], member=make_member(), shares=2, idempotency_key=key()
        )


def test_share_price_cannot_change_once_held(share_product, pending, staff, till):
    shares_purchase(actor=staff["teller"], member=pending, shares=2, idempotency_key=key())
    with pytest.raises(ValidationFailed) as exc:
        share_product_set(
            actor=staff["manager"],
            name="Parts",
            currency="USD",
            unit_price="20",
            min_shares=2,
            max_shares=50,
            entry_fee="5",
        )
    assert exc.value.code == "shares_held"
    changed = share_product_set(
        actor=staff["manager"],
        name="Parts sociales",
        currency="USD",
        unit_price="10",
        min_shares=3,
        max_shares=60,
        entry_fee="7",
    )
    assert (changed.min_shares, changed.entry_fee_minor) == (3, 700)


def test_redemption_when_she_leaves(share_product, pending, staff, till, usd_product, open_account):
    shares_purchase(actor=staff["teller"], member=pending, shares=3, idempotency_key=key())
    acct = open_account(pending, usd_product)
    with pytest.raises(ValidationFailed) as exc:
        shares_redeem_request(actor=staff["officer"], member=pending, shares=2, reason="Sortie")
    assert exc.value.code == "below_minimum"  # 1 share left < 2
    redemption = shares_redeem_request(actor=staff["manager"], member=pending, reason="Elle quitte")
    with pytest.raises(Conflict):
        shares_redeem_request(actor=staff["officer"], member=pending, reason="Encore")
    with pytest.raises(ValidationFailed) as exc:
        shares_redeem_pay(actor=staff["teller"], redemption=redemption, idempotency_key=key())
    assert exc.value.code == "not_approved"
    with pytest.raises(PermissionDenied):
        shares_redeem_decide(actor=staff["officer"], redemption=redemption, approve=True)
    with pytest.raises(ValidationFailed) as exc:  # the one who asked
        shares_redeem_decide(actor=staff["manager"], redemption=redemption, approve=True)
    assert exc.value.code == "second_person_required"
    shares_redeem_decide(actor=staff["committee"], redemption=redemption, approve=True)
    txn = shares_redeem_pay(actor=staff["teller"], redemption=redemption, idempotency_key=key())
    assert entry_lines(txn.entry_id) == {"1000-USD": (3000, 0), "5710-USD": (0, 3000)}
    holding = ShareHolding.objects.get(member=pending)
    assert (holding.shares, holding.paid_minor) == (0, 0)
    # she leaves: her savings account must be closed first (savings' exit check)
    with pytest.raises(ValidationFailed) as exc:
        member_status_change(
            actor=staff["officer"], member=pending, status="exited", reason="Départ"
        )
    assert acct.number in exc.value.message
    savings_account_close(actor=staff["manager"], account=acct, reason="Départ")
    member_status_change(actor=staff["officer"], member=pending, status="exited", reason="Départ")
    verify_green()


def test_a_member_with_shares_cannot_exit(share_product, pending, staff, till):
    shares_purchase(actor=staff["teller"], member=pending, shares=2, idempotency_key=key())
    with pytest.raises(ValidationFailed) as exc:
        member_status_change(actor=staff["officer"], member=pending, status="exited", reason="X")
    assert "shares" in exc.value.message


def test_redemption_waits_for_her_real_loan(share_product, pending, staff, till, loan_product):
    """Her loan, filed, approved and disbursed through the loans services, holds her
    shares back at every step until it is repaid and closed; a loan filed after the
    request stops the approval."""
    from mupaka.loans import selectors as loan_selectors
    from mupaka.loans import services as loans
    from mupaka.loans.models import LoanStatus

    shares_purchase(actor=staff["teller"], member=pending, shares=2, idempotency_key=key())
    pending.refresh_from_db()

    def apply():
        return loans.loan_apply(
            actor=staff["officer"],
            member=pending,
            product=loan_product,
            principal=m("300"),
            installments=6,
            purpose="Stock de pagnes",
        )

    def refused(loan):
        with pytest.raises(ValidationFailed) as exc:
            shares_redeem_request(actor=staff["officer"], member=pending, reason="Sortie")
        assert exc.value.code == "loans_not_settled"
        assert loan.number in exc.value.message
        return exc.value

    loan = apply()
    assert "submitted" in refused(loan).message
    loan = loans.loan_approve(actor=staff["committee"], loan=loan)
    assert "approved" in refused(loan).message
    loans.loan_disburse(actor=staff["teller"], loan=loan, idempotency_key=key())
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE
    assert "active" in refused(loan).message
    payoff = loan_selectors.loan_summary(loan).payoff
    loans.loan_repay(actor=staff["teller"], loan=loan, amount=payoff, idempotency_key=key())
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED
    # settled: the request goes through; a new loan filed before the approval stops it
    redemption = shares_redeem_request(actor=staff["officer"], member=pending, reason="Sortie")
    second = apply()
    with pytest.raises(ValidationFailed) as exc:
        shares_redeem_decide(actor=staff["committee"], redemption=redemption, approve=True)
    assert exc.value.code == "loans_not_settled" and second.number in exc.value.message
    loans.loan_reject(actor=staff["committee"], loan=second, reason="Elle quitte la COOPEC")
    shares_redeem_decide(actor=staff["committee"], redemption=redemption, approve=True)
    txn = shares_redeem_pay(actor=staff["teller"], redemption=redemption, idempotency_key=key())
    assert txn.amount_minor == 2000
    verify_green()


def test_redemption_waits_for_the_registered_checks(share_product, pending, staff, till):
    shares_purchase(actor=staff["teller"], member=pending, shares=2, idempotency_key=key())

    def owes(member):
        return "Elle doit encore une avance." if member.pk == pending.pk else None

    register_redemption_check(owes)
    try:
        with pytest.raises(ValidationFailed) as exc:
            shares_redeem_request(actor=staff["officer"], member=pending, reason="Sortie")
        assert exc.value.code == "loans_not_settled"
        assert exc.value.message == "Elle doit encore une avance."
    finally:
        from mupaka.shares import services

        services._REDEMPTION_CHECKS.remove(owes)


def test_rejection_needs_a_reason(share_product, pending, staff, till):
    shares_purchase(actor=staff["teller"], member=pending, shares=2, idempotency_key=key())
    r = shares_redeem_request(actor=staff["officer"], member=pending, reason="Sortie")
    with pytest.raises(ValidationFailed):
        shares_redeem_decide(actor=staff["committee"], redemption=r, approve=False)
    shares_redeem_decide(
        actor=staff["committee"], redemption=r, approve=False, note="Crédit en cours"
    )
    assert ShareRedemption.objects.get(pk=r.pk).status == "rejected"
    verify_green()


# --- joining when the share product has no entry fee ---------------------------------------------
@pytest.fixture
def no_fee_product(chart, staff):
    return share_product_set(
        actor=staff["manager"],
        name="Parts sociales",
        currency="USD",
        unit_price="10",
        min_shares=2,
        max_shares=50,
        entry_fee="0",
    )


def test_without_an_entry_fee_the_minimum_shares_make_her_active(
    no_fee_product, pending, staff, till
):
    from mupaka.members.services import activation_problem

    # below the minimum: refused, nothing paid, still pending (shares are what is missing)
    with pytest.raises(ValidationFailed) as exc:
        shares_purchase(actor=staff["teller"], member=pending, shares=1, idempotency_key=key())
    assert exc.value.code == "below_minimum"
    pending.refresh_from_db()
    assert pending.status == "pending" and not ShareTransaction.objects.exists()
    assert "0 of the 2 member shares" in activation_problem(pending)
    # nothing to pay but shares: refused too (no fee to take alone)
    with pytest.raises(ValidationFailed):
        shares_purchase(actor=staff["teller"], member=pending, shares=0, idempotency_key=key())
    # the minimum: active, with no fee taken and no fee date
    result = shares_purchase(actor=staff["teller"], member=pending, shares=2, idempotency_key=key())
    assert (result.member_activated, result.entry_fee_minor, result.total) == (True, 0, m("20"))
    pending.refresh_from_db()
    holding = ShareHolding.objects.get(member=pending)
    assert pending.status == "active" and holding.entry_fee_paid_date is None
    assert entry_lines(result.entry_number) == {"5710-USD": (2000, 0), "1000-USD": (0, 2000)}
    more = shares_purchase(actor=staff["teller"], member=pending, shares=1, idempotency_key=key())
    assert not more.member_activated and more.shares_held == 3
    verify_green()


def test_the_purchase_follows_every_activation_check(no_fee_product, pending, staff, till):
    """She becomes active when the members' checks find nothing missing, not before: a
    check registered by another app holds her pending; her next purchase activates her."""
    from mupaka.members.services import register_activation_check, unregister_activation_check

    def visit_missing(member):
        return "Visite de l'agent de crédit manquante." if member.pk == pending.pk else None

    register_activation_check(visit_missing)
    try:
        first = shares_purchase(
            actor=staff["teller"], member=pending, shares=2, idempotency_key=key()
        )
    finally:
        unregister_activation_check(visit_missing)
    pending.refresh_from_db()
    assert not first.member_activated and pending.status == "pending"
    later = shares_purchase(actor=staff["teller"], member=pending, shares=1, idempotency_key=key())
    pending.refresh_from_db()
    assert later.member_activated and pending.status == "active"
    verify_green()


def test_with_an_entry_fee_the_shares_alone_do_not_make_her_active(
    no_fee_product, pending, staff, till
):
    """The fee path is unchanged (scenario 1 and the fee-then-shares test above): when the
    product asks for a fee, her shares alone leave her pending until the fee is paid."""
    from mupaka.members.services import (
        activation_problem,
        register_activation_check,
        unregister_activation_check,
    )

    def not_yet(member):
        return "Pas encore." if member.pk == pending.pk else None

    # she buys the minimum while no fee is asked, held pending by another check...
    register_activation_check(not_yet)
    try:
        shares_purchase(actor=staff["teller"], member=pending, shares=2, idempotency_key=key())
    finally:
        unregister_activation_check(not_yet)
    # ...then the institution sets an entry fee: her shares are not enough any more
    share_product_set(
        actor=staff["manager"],
        name="Parts sociales",
        currency="USD",
        unit_price="10",
        min_shares=2,
        max_shares=50,
        entry_fee="5",
    )
    assert "entry fee ($5.00) is not paid" in activation_problem(pending)
    fee = shares_purchase(actor=staff["teller"], member=pending, shares=0, idempotency_key=key())
    pending.refresh_from_db()
    assert (fee.entry_fee_minor, fee.shares_bought, fee.member_activated) == (500, 0, True)
    assert pending.status == "active"
    verify_green()
