"""Every write about member shares and the entry fee.

Joining (scenario 1): a pending member pays the entry fee and buys at least the
product's minimum number of shares; once both are paid she becomes active (through the
members app's ``member_status_change``). More shares can be bought up to the maximum.
Leaving: her shares are redeemed once her loans are settled — requested by one person,
approved by another, paid at the till or into her savings account.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record, snapshot
from mupaka.core.commit_group import grouped
from mupaka.core.exceptions import Conflict, ValidationFailed
from mupaka.core.idempotency import check_idempotency_key, scoped_digest
from mupaka.core.money import Money, to_decimal
from mupaka.core.money_format import format_money
from mupaka.core.permissions import has_perm, require_branch, require_perm
from mupaka.core.selectors import institution_get
from mupaka.ledger.selectors import account_for
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.members.models import Member, MemberStatus
from mupaka.shares import hooks
from mupaka.shares.models import (
    SUBLEDGER,
    RedemptionStatus,
    ShareHolding,
    ShareProduct,
    ShareRedemption,
    ShareTransaction,
    ShareTxnKind,
)

CASH, SAVINGS = "cash", "savings"


def _text(m: Money) -> str:
    from mupaka.savings.services.messages import money_text

    return money_text(m)


def _business_date() -> dt.date:
    return institution_get().business_date


def share_product_get() -> ShareProduct:
    product = ShareProduct.objects.filter(is_active=True).first()
    if product is None:
        raise ValidationFailed(
            _("The institution has not set its member shares yet (manager: Share product)."),
            code="no_share_product",
        )
    return product


# --- the share product -------------------------------------------------------------------------------
PRODUCT_FIELDS = [
    "name",
    "currency",
    "unit_price_minor",
    "min_shares",
    "max_shares",
    "entry_fee_minor",
    "is_active",
]


@transaction.atomic
def share_product_set(
    *,
    actor,
    name: str,
    currency: str,
    unit_price: Decimal | str,
    min_shares: int,
    max_shares: int,
    entry_fee: Decimal | str,
) -> ShareProduct:
    """Create or change the institution's share product. The price and currency of a
    share cannot change once shares are held (that is a general assembly's decision
    with its own accounting); the minimum, maximum and entry fee apply from now on."""
    require_perm(actor, "shares.product.manage")
    currency = (currency or "").strip().upper()
    errors: dict[str, list[str]] = {}
    if currency not in institution_get().accepted_currencies:
        errors["currency"] = [_("The institution does not accept this currency.")]
    cur = currency if "currency" not in errors else "USD"
    amounts = {}
    for field, raw, positive in (("unit_price", unit_price, True), ("entry_fee", entry_fee, False)):
        try:
            money = Money(to_decimal(raw), cur)
            if money.amount < 0 or (positive and money.amount == 0):
                raise ValueError
            amounts[field] = money.minor
        except (ValueError, TypeError):
            errors[field] = [_("Give an amount with the currency's decimals at most.")]
    name = " ".join((name or "").split())[:120]
    if not name:
        errors["name"] = [_("A name is required.")]
    if int(min_shares or 0) < 1:
        errors["min_shares"] = [_("A member holds at least one share.")]
    if int(max_shares or 0) < int(min_shares or 0):
        errors["max_shares"] = [_("The maximum cannot be below the minimum.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    product = ShareProduct.objects.select_for_update().filter(is_active=True).first()
    before = snapshot(product, PRODUCT_FIELDS) if product else None
    if product is not None and product.holdings.filter(shares__gt=0).exists():
        if currency != product.currency or amounts["unit_price"] != product.unit_price_minor:
            raise ValidationFailed(
                _("Members already hold shares: the price and currency of a share cannot change."),
                field="unit_price",
                code="shares_held",
            )
    if product is None:
        product = ShareProduct(is_active=True)
    product.name = name
    product.currency = currency
    product.unit_price_minor = amounts["unit_price"]
    product.entry_fee_minor = amounts["entry_fee"]
    product.min_shares = int(min_shares)
    product.max_shares = int(max_shares)
    product.save()
    audit_record(
        actor=actor,
        action="shares.product_set",
        obj=product,
        before=before,
        after=snapshot(product, PRODUCT_FIELDS),
    )
    return product


# --- buying shares --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PurchaseResult:
    holding_id: int
    member_id: int
    currency: str
    shares_bought: int
    shares_held: int
    shares_minor: int
    entry_fee_minor: int
    entry_number: int
    member_activated: bool
    replayed: bool = False

    @property
    def total(self) -> Money:
        return Money.from_minor(self.shares_minor + self.entry_fee_minor, self.currency)

    def as_dict(self) -> dict:
        m = lambda minor: str(Money.from_minor(minor, self.currency).amount)  # noqa: E731
        return {
            "holding": self.holding_id,
            "member": self.member_id,
            "currency": self.currency,
            "shares_bought": self.shares_bought,
            "shares_held": self.shares_held,
            "shares_amount": m(self.shares_minor),
            "entry_fee": m(self.entry_fee_minor),
            "total": m(self.shares_minor + self.entry_fee_minor),
            "entry": self.entry_number,
            "member_activated": self.member_activated,
            "replayed": self.replayed,
        }


def _replayed_purchase(key: str, request: str) -> PurchaseResult | None:
    txn = ShareTransaction.objects.select_related("holding").filter(idempotency_key=key).first()
    if txn is None:
        return None
    if txn.request_digest != request:
        raise Conflict(
            _("This idempotency key was already used for a different request."),
            code="idempotency_conflict",
        )
    same = ShareTransaction.objects.filter(entry_id=txn.entry_id)
    fee = sum(t.amount_minor for t in same if t.kind == ShareTxnKind.ENTRY_FEE)
    bought = [t for t in same if t.kind == ShareTxnKind.PURCHASE]
    return PurchaseResult(
        holding_id=txn.holding_id,
        member_id=txn.holding.member_id,
        currency=txn.holding.currency,
        shares_bought=sum(t.shares for t in bought),
        shares_held=txn.holding.shares,
        shares_minor=sum(t.amount_minor for t in bought),
        entry_fee_minor=fee,
        entry_number=txn.entry_id,
        member_activated=False,
        replayed=True,
    )


def _savings_source(member: Member, savings_account, currency: str):
    if savings_account is None:
        raise ValidationFailed(
            _("Choose the savings account the money comes from."), field="savings_account"
        )
    if savings_account.member_id != member.pk or savings_account.currency != currency:
        raise ValidationFailed(
            _("Choose one of her savings accounts in %(currency)s.") % {"currency": currency},
            field="savings_account",
        )
    return savings_account


@grouped
@transaction.atomic
def shares_purchase(
    *,
    actor,
    member: Member,
    shares: int,
    idempotency_key: str,
    channel: str = CASH,
    savings_account=None,
) -> PurchaseResult:
    """Buy ``shares`` shares for the member, with the entry fee if she has not paid it
    (``shares=0``: the entry fee alone). Cash at the actor's open till, or from her
    savings account (``channel="savings"``). A pending member's first purchase must
    reach the minimum; once the members' activation checks find nothing missing (the
    fee, when the product has one, and the minimum) she becomes active.
    One entry: Dr till cash (or savings) / Cr member shares / Cr entry fee income."""
    require_perm(actor, "shares.buy")
    key = check_idempotency_key(idempotency_key)
    request = scoped_digest(
        "shares.purchase",
        member=member.pk,
        shares=shares,
        channel=channel,
        savings=getattr(savings_account, "pk", None),
    )
    done = _replayed_purchase(key, request)
    if done is not None:
        return done
    if channel not in (CASH, SAVINGS):
        raise ValidationFailed(_("Pay in cash or from a savings account."), field="channel")
    try:
        shares = int(shares)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Give a whole number of shares."), field="shares")
    if shares < 0:
        raise ValidationFailed(_("Give a whole number of shares."), field="shares")
    product = share_product_get()
    member = Member.objects.select_for_update(of=("self",)).get(pk=member.pk)
    require_branch(actor, member.branch_id)
    if member.status not in (MemberStatus.PENDING, MemberStatus.ACTIVE):
        raise ValidationFailed(
            _("%(name)s is %(status)s: she cannot buy shares.")
            % {"name": member.full_name, "status": MemberStatus(member.status).label.lower()},
            field="member",
            code="member_not_eligible",
        )
    holding, _created = ShareHolding.objects.get_or_create(
        member=member, defaults={"product": product, "currency": product.currency}
    )
    holding = ShareHolding.objects.select_for_update().get(pk=holding.pk)
    fee_minor = product.entry_fee_minor if holding.entry_fee_paid_date is None else 0
    held_after = holding.shares + shares
    if held_after > product.max_shares:
        raise ValidationFailed(
            _("A member may hold at most %(max)s shares; she holds %(held)s.")
            % {"max": product.max_shares, "held": holding.shares},
            field="shares",
            code="above_maximum",
        )
    if member.status == MemberStatus.PENDING and shares and held_after < product.min_shares:
        raise ValidationFailed(
            _("To become a member she buys at least %(min)s shares of %(price)s.")
            % {"min": product.min_shares, "price": _text(product.unit_price)},
            field="shares",
            code="below_minimum",
        )
    if not shares and not fee_minor:
        raise ValidationFailed(
            _("Give the number of shares to buy (the entry fee is already paid)."), field="shares"
        )
    shares_minor = shares * product.unit_price_minor
    total = product.money(shares_minor + fee_minor)
    bdate = _business_date()
    narrative = _("Member shares and entry fee, %(number)s") % {"number": member.number}
    if not fee_minor:
        narrative = _("Member shares, %(number)s") % {"number": member.number}
    elif not shares:
        narrative = _("Entry fee, %(number)s") % {"number": member.number}
    savings_lines = []
    if channel == CASH:
        from mupaka.tellers.cash import till_cash_line

        counter = till_cash_line(
            actor=actor, amount=total, side="dr", member_id=member.pk, memo=narrative
        )
    else:
        from mupaka.savings.services import savings_movement_line

        source = _savings_source(member, savings_account, product.currency)
        counter = savings_movement_line(
            actor=actor,
            account=source,
            amount=total,
            direction="out",
            kind="shares",
            business_date=bdate,
            memo=narrative,
            reference=f"{SUBLEDGER}:{holding.pk}",
            channel="transfer",
        )
        savings_lines.append(counter)
    lines = [counter]
    if shares_minor:
        lines.append(
            LineSpec.cr(
                account_for("member_shares", product.currency),
                product.money(shares_minor),
                member_id=member.pk,
                subledger_type=SUBLEDGER,
                subledger_id=str(holding.pk),
                memo=_("%(n)s shares") % {"n": shares},
            )
        )
    if fee_minor:
        lines.append(
            LineSpec.cr(
                account_for("entry_fee_income", product.currency),
                product.money(fee_minor),
                member_id=member.pk,
                memo=_("Entry fee"),
            )
        )
    entry = journal_post(
        actor=actor,
        business_date=bdate,
        narrative=narrative,
        lines=lines,
        source_type="shares.purchase",
        source_id=holding.pk,
        idempotency_key=f"shares.purchase:{key}",
        branch=member.branch_id,
    )
    if savings_lines:
        from mupaka.savings.services import savings_entry_link

        savings_entry_link(entry=entry, lines=savings_lines)
    keyed = False
    for kind, n, minor in (
        (ShareTxnKind.PURCHASE, shares, shares_minor),
        (ShareTxnKind.ENTRY_FEE, 0, fee_minor),
    ):
        if not minor:
            continue
        ShareTransaction.objects.create(
            holding=holding,
            kind=kind,
            shares=n,
            amount_minor=minor,
            business_date=bdate,
            channel=channel,
            entry=entry,
            idempotency_key=None if keyed else key,
            request_digest="" if keyed else request,
            actor=actor,
        )
        keyed = True
    before = snapshot(holding, ["shares", "paid_minor", "entry_fee_paid_date"])
    holding.shares = held_after
    holding.paid_minor += shares_minor
    if fee_minor:
        holding.entry_fee_paid_date = bdate
        holding.entry_fee_minor = fee_minor
    holding.save(update_fields=["shares", "paid_minor", "entry_fee_paid_date", "entry_fee_minor"])
    audit_record(
        actor=actor,
        action="shares.purchase",
        obj=holding,
        object_repr=f"{member.number} {member.full_name}",
        before=before,
        after=snapshot(holding, ["shares", "paid_minor", "entry_fee_paid_date"]),
        branch_id=member.branch_id,
    )
    activated = False
    if member.status == MemberStatus.PENDING:
        # Joining is the members' rule (their activation checks: the entry fee if the
        # product has one, the minimum shares, and whatever else is registered), not a
        # copy of it here: with no entry fee there is no fee date to wait for.
        from mupaka.members.services import activation_problem, member_status_change

        if activation_problem(member) is None:
            member_status_change(actor=actor, member=member, status=MemberStatus.ACTIVE)
            activated = True
    hooks.on_commit(member_id=member.pk, holding_id=holding.pk, joined=activated)
    return PurchaseResult(
        holding_id=holding.pk,
        member_id=member.pk,
        currency=product.currency,
        shares_bought=shares,
        shares_held=holding.shares,
        shares_minor=shares_minor,
        entry_fee_minor=fee_minor,
        entry_number=entry.number,
        member_activated=activated,
    )


# --- redemption ----------------------------------------------------------------------------------------------
RedemptionCheck = Callable[[Member], "str | None"]
_REDEMPTION_CHECKS: list[RedemptionCheck] = []


def register_redemption_check(check: RedemptionCheck) -> None:
    """Another app refuses a redemption while the member owes it something:
    ``fn(member) -> message or None``."""
    if check not in _REDEMPTION_CHECKS:
        _REDEMPTION_CHECKS.append(check)


def _loans_settled(actor, member: Member) -> str | None:
    """Whether she still has a loan that is not settled: filed, approved or being repaid
    (the loans app's ``OPEN_STATUSES``, the same rule as its exit check, in every branch);
    then the registered checks."""
    try:
        from mupaka.loans.models import OPEN_STATUSES, Loan
    except ImportError:  # pragma: no cover - loans not installed
        Loan = None  # noqa: N806
    if Loan is not None:
        if not has_perm(actor, "loan.view"):
            return _("Only staff who can see her loans may ask or approve a redemption.")
        loan = Loan.objects.filter(member=member, status__in=OPEN_STATUSES).order_by("pk").first()
        if loan is not None:
            return _(
                "She still has loan %(number)s (%(status)s): her shares are redeemed once her "
                "loans are settled."
            ) % {"number": loan.number, "status": loan.get_status_display().lower()}
        from mupaka.loans.selectors import unrecovered_write_off

        owed = unrecovered_write_off(member)
        if owed is not None:
            return _(
                "She still owes %(amount)s on loan %(number)s, written off: record its "
                "recovery before her shares are redeemed."
            ) % {"amount": format_money(owed[1]), "number": owed[0].number}
    for check in _REDEMPTION_CHECKS:
        problem = check(member)
        if problem:
            return problem
    return None


@transaction.atomic
def shares_redeem_request(
    *, actor, member: Member, shares: int | None = None, reason: str
) -> ShareRedemption:
    """Ask to buy back ``shares`` of her shares (all by default; what she keeps must
    stay at the minimum unless she leaves with all of them). Refused while she has an
    active loan. Nothing moves until another person approves and the money is paid."""
    require_perm(actor, "shares.redeem.request")
    holding = (
        ShareHolding.objects.select_for_update()
        .select_related("product", "member")
        .filter(member=member)
        .first()
    )
    require_branch(actor, member.branch_id)
    if holding is None or holding.shares == 0:
        raise ValidationFailed(_("She holds no shares."), field="shares", code="no_shares")
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise ValidationFailed(_("Give the reason for the redemption."), field="reason")
    try:
        n = holding.shares if shares in (None, "") else int(shares)
    except (TypeError, ValueError):
        n = 0
    if n < 1:
        raise ValidationFailed(
            _("Give a whole number of shares (at least one)."), field="shares", code="invalid"
        )
    if n > holding.shares:
        raise ValidationFailed(
            _("She holds %(held)s shares: %(n)s cannot be redeemed.")
            % {"held": holding.shares, "n": n},
            field="shares",
            code="more_than_held",
        )
    left = holding.shares - n
    if 0 < left < holding.product.min_shares:
        raise ValidationFailed(
            _("A member keeps at least %(min)s shares; redeem all of them if she leaves.")
            % {"min": holding.product.min_shares},
            field="shares",
            code="below_minimum",
        )
    problem = _loans_settled(actor, member)
    if problem:
        raise ValidationFailed(problem, field="member", code="loans_not_settled")
    if ShareRedemption.objects.filter(
        holding=holding, status__in=[RedemptionStatus.PENDING, RedemptionStatus.APPROVED]
    ).exists():
        raise Conflict(
            _("A redemption of her shares is already under way."), code="redemption_open"
        )
    redemption = ShareRedemption.objects.create(
        holding=holding,
        shares=n,
        amount_minor=n * holding.product.unit_price_minor,
        reason=reason,
        requested_by=actor,
        requested_date=_business_date(),
    )
    audit_record(
        actor=actor,
        action="shares.redeem_request",
        obj=redemption,
        object_repr=f"{member.number}: {n}",
        after={"shares": n, "amount_minor": redemption.amount_minor},
        reason=reason,
        branch_id=member.branch_id,
    )
    return redemption


@transaction.atomic
def shares_redeem_decide(
    *, actor, redemption: ShareRedemption, approve: bool, note: str = ""
) -> ShareRedemption:
    """The second person approves or rejects the request (never the one who asked)."""
    require_perm(actor, "shares.redeem.approve")
    redemption = (
        ShareRedemption.objects.select_for_update()
        .select_related("holding__member")
        .get(pk=redemption.pk)
    )
    member = redemption.holding.member
    require_branch(actor, member.branch_id)
    if redemption.status != RedemptionStatus.PENDING:
        raise Conflict(_("This request was already decided."), code="already_decided")
    if redemption.requested_by_id == actor.pk:
        raise ValidationFailed(
            _("The person who asked cannot approve: a second person decides."),
            code="second_person_required",
        )
    note = " ".join((note or "").split())[:300]
    if approve:
        problem = _loans_settled(actor, member)
        if problem:
            raise ValidationFailed(problem, field="member", code="loans_not_settled")
    elif not note:
        raise ValidationFailed(_("Give the reason for the refusal."), field="note")
    redemption.status = RedemptionStatus.APPROVED if approve else RedemptionStatus.REJECTED
    redemption.decided_by = actor
    redemption.decided_at = timezone.now()
    redemption.decision_note = note
    redemption.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="shares.redeem_approve" if approve else "shares.redeem_reject",
        obj=redemption,
        object_repr=f"{member.number}: {redemption.shares}",
        before={"status": RedemptionStatus.PENDING},
        after={"status": redemption.status},
        reason=note,
        branch_id=member.branch_id,
    )
    return redemption


@transaction.atomic
def shares_redeem_pay(
    *,
    actor,
    redemption: ShareRedemption,
    idempotency_key: str,
    channel: str = CASH,
    savings_account=None,
) -> ShareTransaction:
    """Pay an approved redemption: cash from the actor's till, or into her savings
    account. One entry: Dr member shares / Cr till cash (or savings)."""
    require_perm(actor, "shares.redeem.pay")
    key = check_idempotency_key(idempotency_key)
    request = scoped_digest(
        "shares.redeem",
        redemption=redemption.pk,
        channel=channel,
        savings=getattr(savings_account, "pk", None),
    )
    done = ShareTransaction.objects.filter(idempotency_key=key).first()
    if done is not None:
        if done.request_digest != request:
            raise Conflict(
                _("This idempotency key was already used for a different request."),
                code="idempotency_conflict",
            )
        return done
    redemption = (
        ShareRedemption.objects.select_for_update()
        .select_related("holding__member", "holding__product")
        .get(pk=redemption.pk)
    )
    holding = ShareHolding.objects.select_for_update().get(pk=redemption.holding_id)
    member = redemption.holding.member
    require_branch(actor, member.branch_id)
    if redemption.status != RedemptionStatus.APPROVED:
        raise ValidationFailed(
            _("Only an approved redemption is paid."), code="not_approved", field="redemption"
        )
    if holding.shares < redemption.shares:
        raise ValidationFailed(_("She no longer holds these shares."), field="shares")
    amount = Money.from_minor(redemption.amount_minor, holding.currency)
    bdate = _business_date()
    narrative = _("Redemption of %(n)s shares, %(number)s") % {
        "n": redemption.shares,
        "number": member.number,
    }
    savings_lines = []
    if channel == CASH:
        from mupaka.tellers.cash import till_cash_line

        counter = till_cash_line(
            actor=actor, amount=amount, side="cr", member_id=member.pk, memo=narrative
        )
    elif channel == SAVINGS:
        from mupaka.savings.services import savings_movement_line

        source = _savings_source(member, savings_account, holding.currency)
        counter = savings_movement_line(
            actor=actor,
            account=source,
            amount=amount,
            direction="in",
            kind="shares",
            business_date=bdate,
            memo=narrative,
            reference=f"{SUBLEDGER}:{holding.pk}",
            customer=False,
            channel="transfer",
        )
        savings_lines.append(counter)
    else:
        raise ValidationFailed(_("Pay in cash or into a savings account."), field="channel")
    entry = journal_post(
        actor=actor,
        business_date=bdate,
        narrative=narrative,
        lines=[
            LineSpec.dr(
                account_for("member_shares", holding.currency),
                amount,
                member_id=member.pk,
                subledger_type=SUBLEDGER,
                subledger_id=str(holding.pk),
            ),
            counter,
        ],
        source_type="shares.redemption",
        source_id=redemption.pk,
        idempotency_key=f"shares.redeem:{key}",
        branch=member.branch_id,
        approved_by=redemption.decided_by,
    )
    if savings_lines:
        from mupaka.savings.services import savings_entry_link

        savings_entry_link(entry=entry, lines=savings_lines)
    txn = ShareTransaction.objects.create(
        holding=holding,
        kind=ShareTxnKind.REDEMPTION,
        shares=-redemption.shares,
        amount_minor=redemption.amount_minor,
        business_date=bdate,
        channel=channel,
        entry=entry,
        idempotency_key=key,
        request_digest=request,
        actor=actor,
    )
    holding.shares -= redemption.shares
    holding.paid_minor -= redemption.amount_minor
    holding.save(update_fields=["shares", "paid_minor"])
    redemption.status = RedemptionStatus.PAID
    redemption.transaction = txn
    redemption.save(update_fields=["status", "transaction"])
    audit_record(
        actor=actor,
        action="shares.redeem_pay",
        obj=redemption,
        object_repr=f"{member.number}: {redemption.shares}",
        after={"entry": entry.number, "channel": channel},
        branch_id=member.branch_id,
    )
    return txn


def member_exit_check(member: Member) -> str | None:
    """Registered with the members app: she leaves once her shares are redeemed."""
    holding = ShareHolding.objects.filter(member=member).first()
    if holding is not None and holding.shares > 0:
        return _("Redeem her %(n)s member shares first.") % {"n": holding.shares}
    return None
