"""Opening, reactivating, blocking and closing savings accounts; term deposits."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record, snapshot
from mupaka.core.exceptions import Conflict, ValidationFailed
from mupaka.core.money import Money
from mupaka.core.permissions import require_branch, require_perm
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.members.models import Member, MemberStatus
from mupaka.savings import hooks
from mupaka.savings.domain.interest import Accumulator
from mupaka.savings.domain.term import early_break_penalty_minor, maturity_date
from mupaka.savings.gl import ROLE_BY_KIND, gl_account
from mupaka.savings.models import (
    PPM,
    AccountStatus,
    Channel,
    ProductKind,
    SavingsAccount,
    SavingsProduct,
    TxnKind,
)
from mupaka.savings.services.messages import money_text
from mupaka.savings.services.movements import (
    MovementResult,
    _counter_line,
    business_date_now,
    check_key,
    digest,
    lock_account,
    lock_accounts,
    movement,
    replayed_result,
    savings_entry_link,
)
from mupaka.savings.services.payable import forfeit_lines

ACCOUNT_FIELDS = [
    "number",
    "member_id",
    "product_id",
    "currency",
    "status",
    "opened_date",
    "closed_date",
    "dormant_since",
    "maturity_date",
    "payout_account_id",
]


def _next_number(member: Member) -> str:
    """``BKV-000123-01``: the member's number and her accounts' sequence (the member
    row is locked by the caller, so two openings never take the same number)."""
    taken = set(SavingsAccount.objects.filter(member=member).values_list("number", flat=True))
    seq = len(taken) + 1
    while f"{member.number}-{seq:02d}" in taken:
        seq += 1
    return f"{member.number}-{seq:02d}"


def account_create(
    *, actor, member: Member, product: SavingsProduct, on_date: dt.date
) -> SavingsAccount:
    """Open the account (no permission check: for services that checked theirs)."""
    member = Member.objects.select_for_update(of=("self",)).get(pk=member.pk)
    if member.status != MemberStatus.ACTIVE:
        raise ValidationFailed(
            _(
                "%(name)s is not an active member (status: %(status)s): she pays her entry fee "
                "and member shares first."
            )
            % {"name": member.full_name, "status": MemberStatus(member.status).label},
            field="member",
            code="member_not_active",
        )
    if not product.is_active:
        raise ValidationFailed(_("This product is closed to new accounts."), field="product")
    gl = gl_account(ROLE_BY_KIND[product.kind], product.currency, product)
    account = SavingsAccount.objects.create(
        number=_next_number(member),
        member=member,
        branch_id=member.branch_id,
        product=product,
        currency=product.currency,
        gl_account=gl,
        status=AccountStatus.ACTIVE,
        min_balance_minor=product.min_balance_minor,
        available_minor=-product.min_balance_minor,
        opened_date=on_date,
        last_customer_date=on_date,
        accrued_through=on_date - dt.timedelta(days=1),
        interest_rate_ppm=product.interest_rate_ppm if product.kind == ProductKind.TERM else None,
        maturity_date=maturity_date(on_date, product.term_months)
        if product.kind == ProductKind.TERM
        else None,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="savings.account_open",
        obj=account,
        after=snapshot(account, ACCOUNT_FIELDS),
    )
    return account


@transaction.atomic
def savings_account_open(*, actor, member: Member, product: SavingsProduct) -> SavingsAccount:
    """Open a voluntary or guarantee savings account for an active member (a term deposit
    opens with its deposit: :func:`term_deposit_open`). A member may hold several
    accounts, in several currencies."""
    require_perm(actor, "savings.account.open")
    require_branch(actor, member.branch_id)
    if product.kind == ProductKind.TERM:
        raise ValidationFailed(
            _("A term deposit is opened with its deposit (term deposit form)."), field="product"
        )
    return account_create(actor=actor, member=member, product=product, on_date=business_date_now())


def _status_change(*, actor, account, new: str, reason: str, action: str, allowed: set[str]):
    account = SavingsAccount.objects.select_for_update().get(pk=account.pk)
    require_branch(actor, account.branch_id)
    reason = " ".join((reason or "").split())[:500]
    if not reason:
        raise ValidationFailed(_("Give the reason for this change."), field="reason")
    if account.status not in allowed:
        raise ValidationFailed(
            _("Account %(number)s is %(status)s: this change does not apply.")
            % {"number": account.number, "status": AccountStatus(account.status).label.lower()},
            field="status",
            code="transition_refused",
        )
    before = snapshot(account, ["status", "dormant_since", "last_customer_date"])
    account.status = new
    if new == AccountStatus.ACTIVE:
        account.dormant_since = None
        # a reactivated account starts a new dormancy period today
        account.last_customer_date = max(account.last_customer_date, business_date_now())
    account.save(update_fields=["status", "dormant_since", "last_customer_date"])
    audit_record(
        actor=actor,
        action=action,
        obj=account,
        before=before,
        after=snapshot(account, ["status", "dormant_since", "last_customer_date"]),
        reason=reason,
    )
    return account


@transaction.atomic
def savings_account_reactivate(*, actor, account: SavingsAccount, reason: str) -> SavingsAccount:
    """A manager reactivates a dormant account (the member came back)."""
    require_perm(actor, "savings.reactivate")
    return _status_change(
        actor=actor,
        account=account,
        new=AccountStatus.ACTIVE,
        reason=reason,
        action="savings.account_reactivate",
        allowed={AccountStatus.DORMANT},
    )


@transaction.atomic
def savings_account_block(*, actor, account: SavingsAccount, reason: str) -> SavingsAccount:
    """Freeze an account (court order, suspected fraud): nothing goes in or out."""
    require_perm(actor, "savings.hold")
    return _status_change(
        actor=actor,
        account=account,
        new=AccountStatus.BLOCKED,
        reason=reason,
        action="savings.account_block",
        allowed={AccountStatus.ACTIVE, AccountStatus.DORMANT},
    )


@transaction.atomic
def savings_account_unblock(*, actor, account: SavingsAccount, reason: str) -> SavingsAccount:
    require_perm(actor, "savings.hold")
    return _status_change(
        actor=actor,
        account=account,
        new=AccountStatus.ACTIVE,
        reason=reason,
        action="savings.account_unblock",
        allowed={AccountStatus.BLOCKED},
    )


@transaction.atomic
def savings_account_close(*, actor, account: SavingsAccount, reason: str = "") -> SavingsAccount:
    """Close an empty account (withdraw or transfer the balance first)."""
    require_perm(actor, "savings.account.close")
    account = SavingsAccount.objects.select_for_update().get(pk=account.pk)
    require_branch(actor, account.branch_id)
    if account.status == AccountStatus.CLOSED:
        raise Conflict(_("Account %(number)s is already closed.") % {"number": account.number})
    if account.blocked_minor:
        raise ValidationFailed(
            _("Account %(number)s has %(amount)s blocked: release the holds first.")
            % {"number": account.number, "amount": money_text(account.blocked)},
            field="account",
            code="holds_active",
        )
    if account.balance_minor:
        raise ValidationFailed(
            _("Account %(number)s still holds %(amount)s: withdraw or transfer it first.")
            % {"number": account.number, "amount": money_text(account.balance)},
            field="account",
            code="balance_not_zero",
        )
    before = snapshot(account, ["status", "closed_date"])
    forfeit = _forfeited_interest_lines(account.pk, account.product)
    if forfeit:  # interest earned in the period, lost at closing: written back
        journal_post(
            actor=actor,
            business_date=business_date_now(),
            narrative=(
                _("Account %(number)s closed: interest earned in the period forfeited")
                % {"number": account.number}
            )[:300],
            lines=forfeit,
            source_type="savings.close",
            source_id=account.pk,
            idempotency_key=f"savings.close:{account.pk}:interest",
            branch=account.branch_id,
        )
    account.status = AccountStatus.CLOSED
    account.closed_date = business_date_now()
    account.available_minor = 0
    account.min_balance_minor = 0
    account.save(update_fields=["status", "closed_date", "available_minor", "min_balance_minor"])
    audit_record(
        actor=actor,
        action="savings.account_close",
        obj=account,
        before=before,
        after=snapshot(account, ["status", "closed_date"]),
        reason=reason,
    )
    return account


def _forfeited_interest_lines(account_id: int, product: SavingsProduct) -> list:
    """Dr payable / Cr interest expense for the interest the account has earned so far
    in its period (it is never posted to her once the account is closed or broken)."""
    balance_days, eligible_days, days, rate_ppm = SavingsAccount.objects.filter(
        pk=account_id
    ).values_list("acc_balance_days", "acc_eligible_days", "acc_days", "interest_rate_ppm")[0]
    return forfeit_lines(
        product=product,
        accumulator=Accumulator(balance_days, eligible_days, days),
        rate_ppm=rate_ppm,
    )


# --- term deposits -----------------------------------------------------------------------------
@transaction.atomic
def term_deposit_open(
    *,
    actor,
    member: Member,
    product: SavingsProduct,
    amount: Money,
    idempotency_key: str,
    channel: str = Channel.CASH,
    from_account: SavingsAccount | None = None,
    payout_account: SavingsAccount | None = None,
) -> MovementResult:
    """Open a term deposit with its principal, paid in cash at the actor's till or moved
    from another savings account of the member (``channel="transfer"``). At maturity
    the principal and interest go to ``payout_account`` (then the deposit is closed) or
    stay available for withdrawal."""
    require_perm(actor, "savings.account.open")
    require_perm(actor, "savings.deposit" if channel == Channel.CASH else "savings.transfer")
    require_branch(actor, member.branch_id)
    key = check_key(idempotency_key)
    request = digest(
        "savings.term_open",
        member=member.pk,
        product=product.pk,
        amount=str(amount),
        channel=channel,
        src=getattr(from_account, "pk", None),
        payout=getattr(payout_account, "pk", None),
    )
    done = replayed_result(key, request)
    if done is not None:
        return done
    if product.kind != ProductKind.TERM:
        raise ValidationFailed(_("Choose a term deposit product."), field="product")
    if amount.currency != product.currency:
        raise ValidationFailed(
            _("This product is in %(currency)s.") % {"currency": product.currency},
            field="amount",
            code="currency_mismatch",
        )
    if channel == Channel.TRANSFER and from_account is None:
        raise ValidationFailed(_("Choose the account the money comes from."), field="from_account")
    for other, field in ((from_account, "from_account"), (payout_account, "payout_account")):
        if other is not None and (
            other.member_id != member.pk or other.currency != product.currency
        ):
            raise ValidationFailed(
                _("Choose one of the member's accounts in %(currency)s.")
                % {"currency": product.currency},
                field=field,
            )
    bdate = business_date_now()
    account = account_create(actor=actor, member=member, product=product, on_date=bdate)
    if payout_account is not None:
        account.payout_account = payout_account
        account.save(update_fields=["payout_account"])
    locked = lock_accounts([account.pk] + ([from_account.pk] if from_account else []))
    acct = locked[account.pk]
    narrative = _("Term deposit %(number)s opened") % {"number": acct.number}
    counter = None
    if channel == Channel.TRANSFER:
        # out of her other account first: a KYC tier's maximum balance then counts her
        # money once (it only changes account), not twice
        counter, _src_after = movement(
            locked[from_account.pk],
            actor=actor,
            amount=amount,
            direction="out",
            kind=TxnKind.TRANSFER,
            business_date=bdate,
            memo=narrative,
            reference=f"savings.account:{acct.id}",
            channel=Channel.TRANSFER,
        )
    line, after = movement(
        acct,
        actor=actor,
        amount=amount,
        direction="in",
        kind=TxnKind.DEPOSIT,
        business_date=bdate,
        memo=narrative,
        channel=channel,
        opening=True,
        idempotency_key=key,
        request_digest=request,
    )
    savings_lines = [line]
    if counter is not None:
        savings_lines.append(counter)
    else:
        counter = _counter_line(
            actor=actor,
            channel=channel,
            amount=amount,
            side="dr",
            member_id=acct.member_id,
            memo=narrative,
        )
    entry = journal_post(
        actor=actor,
        business_date=bdate,
        narrative=narrative,
        lines=[counter, line],
        source_type="savings.term_open",
        source_id=line.savings_transaction_id,
        idempotency_key=f"savings.term_open:{key}",
        branch=acct.branch_id,
    )
    savings_entry_link(entry=entry, lines=savings_lines)
    hooks.on_commit([ln.savings_transaction_id for ln in savings_lines])
    return MovementResult(
        transaction_id=line.savings_transaction_id,
        entry_number=entry.number,
        account_id=acct.id,
        account_number=acct.number,
        currency=acct.currency,
        amount_minor=amount.minor,
        fee_minor=0,
        balance_minor=after.balance_minor,
        available_minor=after.available_minor,
    )


@transaction.atomic
def term_deposit_break(
    *,
    actor,
    account: SavingsAccount,
    idempotency_key: str,
    reason: str,
    channel: str = Channel.CASH,
    to_account: SavingsAccount | None = None,
) -> MovementResult:
    """Break a term deposit before maturity: the interest not yet posted is forfeited,
    the product's penalty (a share of the principal) is taken, the rest is paid in cash
    or moved to ``to_account``, and the deposit is closed."""
    require_perm(actor, "savings.withdraw" if channel == Channel.CASH else "savings.transfer")
    key = check_key(idempotency_key)
    request = digest(
        "savings.term_break",
        account=account.pk,
        channel=channel,
        to=getattr(to_account, "pk", None),
    )
    done = replayed_result(key, request)
    if done is not None:
        return done
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed(_("Give the reason for breaking the deposit."), field="reason")
    bdate = business_date_now()
    ids = [account.pk] + ([to_account.pk] if to_account is not None else [])
    locked = lock_accounts(ids)
    acct = locked[account.pk]
    require_branch(actor, acct.branch_id)
    if acct.kind != ProductKind.TERM:
        raise ValidationFailed(_("This is not a term deposit."), field="account")
    if acct.matured:
        raise ValidationFailed(
            _("This deposit has matured: withdraw it without penalty."), field="account"
        )
    if channel == Channel.TRANSFER and (
        to_account is None or locked[to_account.pk].currency != acct.currency
    ):
        raise ValidationFailed(
            _("Choose an account in %(currency)s to receive the money.")
            % {"currency": acct.currency},
            field="to_account",
        )
    if channel == Channel.TRANSFER and (
        locked[to_account.pk].member_id != acct.member_id or to_account.pk == acct.id
    ):
        # her deposit is paid to her: into one of her other accounts, never someone else's
        raise ValidationFailed(
            _("Choose one of the member's accounts in %(currency)s.")
            % {"currency": acct.currency},
            field="to_account",
        )
    product = SavingsProduct.objects.get(pk=acct.product_id)
    if acct.blocked_minor:
        raise ValidationFailed(
            _("Part of this deposit is blocked: release the holds first."), field="account"
        )
    principal = acct.balance_minor
    penalty_minor = min(
        early_break_penalty_minor(principal, product.early_break_penalty_ppm / PPM), principal
    )
    payout_minor = principal - penalty_minor
    narrative = _("Term deposit %(number)s broken before maturity") % {"number": acct.number}
    lines: list = []
    savings_lines = []
    after = acct
    if penalty_minor:
        pen_line, after = movement(
            after,
            actor=actor,
            amount=acct.money(penalty_minor),
            direction="out",
            kind=TxnKind.PENALTY,
            business_date=bdate,
            memo=_("Penalty for breaking the deposit early"),
            customer=False,
            channel=channel,
            term_break=True,
            below_minimum=True,
            idempotency_key=None if payout_minor else key,
            request_digest="" if payout_minor else request,
        )
        income = gl_account("savings_penalty_income", acct.currency, product)
        lines += [
            pen_line,
            LineSpec.cr(income, acct.money(penalty_minor), member_id=acct.member_id),
        ]
        savings_lines.append(pen_line)
    first = None
    if payout_minor:
        kind = TxnKind.WITHDRAWAL if channel == Channel.CASH else TxnKind.TRANSFER
        out_line, after = movement(
            after,
            actor=actor,
            amount=acct.money(payout_minor),
            direction="out",
            kind=kind,
            business_date=bdate,
            memo=narrative,
            channel=channel,
            term_break=True,
            below_minimum=True,
            idempotency_key=key,
            request_digest=request,
        )
        first = out_line
        lines.append(out_line)
        savings_lines.append(out_line)
        if channel == Channel.TRANSFER:
            in_line, _dst = movement(
                locked[to_account.pk],
                actor=actor,
                amount=acct.money(payout_minor),
                direction="in",
                kind=TxnKind.TRANSFER,
                business_date=bdate,
                memo=narrative,
                reference=f"savings.account:{acct.id}",
                channel=Channel.TRANSFER,
            )
            lines.append(in_line)
            savings_lines.append(in_line)
        else:
            lines.append(
                _counter_line(
                    actor=actor,
                    channel=channel,
                    amount=acct.money(payout_minor),
                    side="cr",
                    member_id=acct.member_id,
                    memo=narrative,
                )
            )
    if not lines:
        raise ValidationFailed(_("This deposit holds nothing."), field="account")
    # the interest it had earned is forfeited: written back from the payable
    lines += _forfeited_interest_lines(acct.id, product)
    entry = journal_post(
        actor=actor,
        business_date=bdate,
        narrative=narrative,
        lines=lines,
        source_type="savings.term_break",
        source_id=(first or savings_lines[0]).savings_transaction_id,
        idempotency_key=f"savings.term_break:{key}",
        branch=acct.branch_id,
    )
    savings_entry_link(entry=entry, lines=savings_lines)
    SavingsAccount.objects.filter(pk=acct.id).update(
        status=AccountStatus.CLOSED,
        closed_date=bdate,
        min_balance_minor=0,
        available_minor=0,
        acc_balance_days=0,
        acc_eligible_days=0,
        acc_days=0,
    )
    audit_record(
        actor=actor,
        action="savings.term_break",
        object_type="savings.savingsaccount",
        object_id=acct.id,
        object_repr=acct.number,
        after={"penalty_minor": penalty_minor, "paid_minor": payout_minor, "entry": entry.number},
        reason=reason,
        branch_id=acct.branch_id,
    )
    hooks.on_commit([ln.savings_transaction_id for ln in savings_lines])
    return MovementResult(
        transaction_id=(first or savings_lines[0]).savings_transaction_id,
        entry_number=entry.number,
        account_id=acct.id,
        account_number=acct.number,
        currency=acct.currency,
        amount_minor=payout_minor,
        fee_minor=penalty_minor,
        balance_minor=0,
        available_minor=0,
    )


def savings_account_for(account_id: int) -> SavingsAccount:
    """The account row (no permission check; for services). Use selectors in views."""
    return SavingsAccount.objects.select_related("product", "member").get(pk=account_id)


__all__ = [
    "account_create",
    "lock_account",
    "savings_account_block",
    "savings_account_close",
    "savings_account_for",
    "savings_account_open",
    "savings_account_reactivate",
    "savings_account_unblock",
    "term_deposit_break",
    "term_deposit_open",
]
