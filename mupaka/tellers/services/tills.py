"""Vaults, tills, transfers between them, and closing with a count by denomination.

Vault ↔ till transfers need two people: the sender initiates (a pending
:class:`CashTransfer`), the receiver confirms; nothing is posted until the receiver
confirms, then one journal entry moves the cash (Dr receiving / Cr sending cash
account, one pair per currency). While a till → vault transfer is pending, its amount
no longer counts as available in the till (the teller has handed the cash over).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record, snapshot
from mupaka.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from mupaka.core.models import Branch, User
from mupaka.core.money import Money, is_known_currency
from mupaka.core.permissions import has_perm, require_branch, require_perm
from mupaka.core.selectors import institution_get
from mupaka.ledger.selectors import account_for, cash_multiple
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.tellers.domain.counting import CountError, count_totals
from mupaka.tellers.models import (
    TILL_SUBLEDGER,
    VAULT_SUBLEDGER,
    CashTransfer,
    Denomination,
    Till,
    TillCount,
    TillStatus,
    TransferDirection,
    TransferStatus,
    Vault,
    VaultFunding,
)
from mupaka.tellers.selectors import (
    money_text,
    till_available_minor,
    till_balances,
    vault_available_minor,
)

__all__ = [
    "cash_transfer_cancel",
    "cash_transfer_confirm",
    "cash_transfer_create",
    "till_close",
    "till_close_confirm",
    "till_open",
    "till_recount",
    "vault_ensure",
    "vault_fund",
]


# --- helpers ------------------------------------------------------------------------
def _accepted_currency(currency: str, *, field: str = "currency") -> str:
    currency = (currency or "").strip().upper()
    inst = institution_get()
    if not is_known_currency(currency) or currency not in (inst.accepted_currencies or []):
        raise ValidationFailed(
            _("%(currency)s is not a currency this institution accepts.")
            % {"currency": currency or "?"},
            field=field,
            code="currency_not_accepted",
        )
    return currency


def _amounts(amounts: Iterable[Money] | Mapping[str, Money], *, field: str) -> dict[str, Money]:
    """{currency: Money} from a list of Money, each currency once, every amount a
    positive multiple of the smallest note."""
    items = list(amounts.values()) if isinstance(amounts, Mapping) else list(amounts)
    result: dict[str, Money] = {}
    errors: list[str] = []
    for money in items:
        cur = _accepted_currency(money.currency, field=field)
        if cur in result:
            errors.append(_("%(currency)s appears twice.") % {"currency": cur})
            continue
        step = cash_multiple(cur)
        if money.amount <= 0 or not money.is_exact:
            errors.append(
                _("%(amount)s: give an amount greater than zero.") % {"amount": money_text(money)}
            )
        elif money.quantize_cash(step, "down") != money:
            errors.append(
                _("%(amount)s is not a multiple of the smallest note (%(step)s).")
                % {"amount": money_text(money), "step": money_text(Money(step, cur))}
            )
        result[cur] = money
    if errors:
        raise ValidationFailed(errors[0], errors={field: errors})
    return result


def _lock_till(till_id: int) -> Till:
    till = Till.objects.select_for_update().filter(pk=till_id).first()
    if till is None:
        raise NotFound(_("No till with this id."))
    return till


def vault_ensure(branch: Branch) -> Vault:
    vault, _created = Vault.objects.get_or_create(
        branch=branch, defaults={"name": f"Coffre {branch.code}"}
    )
    return vault


def _vault_locked(branch_id: int) -> Vault:
    vault = Vault.objects.select_for_update().filter(branch_id=branch_id).first()
    if vault is None:
        vault = vault_ensure(Branch.objects.get(pk=branch_id))
    return vault


def _till_line(till: Till, money: Money, side: str, memo: str = "") -> LineSpec:
    account = account_for("till_cash", money.currency)
    kw = {"subledger_type": TILL_SUBLEDGER, "subledger_id": str(till.pk), "memo": memo}
    return LineSpec.dr(account, money, **kw) if side == "dr" else LineSpec.cr(account, money, **kw)


def _vault_line(vault: Vault, money: Money, side: str, memo: str = "") -> LineSpec:
    account = account_for("vault_cash", money.currency)
    kw = {"subledger_type": VAULT_SUBLEDGER, "subledger_id": str(vault.pk), "memo": memo}
    return LineSpec.dr(account, money, **kw) if side == "dr" else LineSpec.cr(account, money, **kw)


def _amounts_text(amounts: Mapping[str, int]) -> str:
    return ", ".join(money_text(Money.from_minor(int(v), c)) for c, v in sorted(amounts.items()))


# --- vault ---------------------------------------------------------------------------
@transaction.atomic
def vault_fund(
    *,
    actor: User,
    branch: Branch,
    amount: Money,
    source: str,
    reason: str = "",
    direction: str = "in",
    journal_key: str,
) -> VaultFunding:
    """Cash into the vault from the bank (``source="bank"``) or as the opening balance
    taken on at go-live (``source="opening"``, against retained earnings), or out of the
    vault to the bank (``direction="out"``, ``source="bank"``)."""
    require_perm(actor, "vault.fund")
    require_branch(actor, branch.pk)
    amounts = _amounts([amount], field="amount")
    money = amounts[amount.currency]
    counter_role = {"bank": "bank", "opening": "retained_earnings"}.get(source)
    if counter_role is None or (direction == "out" and source != "bank"):
        raise ValidationFailed(
            _("Choose where the cash comes from: bank or opening balance."), field="source"
        )
    if direction not in ("in", "out"):
        raise ValidationFailed(_("The direction is in or out."), field="direction")
    vault = _vault_locked(branch.pk)
    if direction == "out" and money.minor > vault_available_minor(vault, money.currency):
        raise ValidationFailed(
            _("The vault does not hold %(amount)s.") % {"amount": money_text(money)},
            field="amount",
            code="insufficient_cash",
        )
    bdate = institution_get().business_date
    memo = reason[:200]
    counter = account_for(counter_role, money.currency)
    if direction == "in":
        lines = [_vault_line(vault, money, "dr", memo), LineSpec.cr(counter, money, memo=memo)]
        narrative = (
            _("Opening cash of the vault %(branch)s")
            if source == "opening"
            else _("Cash from the bank to the vault %(branch)s")
        ) % {"branch": branch.code}
    else:
        lines = [LineSpec.dr(counter, money, memo=memo), _vault_line(vault, money, "cr", memo)]
        narrative = _("Cash from the vault %(branch)s to the bank") % {"branch": branch.code}
    entry = journal_post(
        actor=actor,
        business_date=bdate,
        narrative=narrative,
        lines=lines,
        source_type="tellers.vault_funding",
        source_id=str(vault.pk),
        idempotency_key=journal_key,
        branch=branch,
    )
    funding = VaultFunding.objects.create(
        vault=vault,
        currency=money.currency,
        amount_minor=money.minor if direction == "in" else -money.minor,
        source=source,
        reason=reason,
        entry_number=entry.number,
        business_date=bdate,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="vault.fund",
        obj=funding,
        after=snapshot(funding),
        reason=reason,
        branch_id=branch.pk,
    )
    return funding


# --- opening a till -------------------------------------------------------------------
@transaction.atomic
def till_open(
    *,
    actor: User,
    teller: User,
    floats: Iterable[Money] | Mapping[str, Money] = (),
    currencies: Iterable[str] = (),
) -> Till:
    """Open ``teller``'s till for the business date. ``floats``: the cash the manager
    sends from the vault (a pending transfer the teller confirms on receipt);
    ``currencies``: further currencies the till holds with no float."""
    require_perm(actor, "till.open")
    if not has_perm(teller, "till.operate"):
        raise ValidationFailed(
            _("%(name)s is not a teller: only a teller operates a till.") % {"name": teller},
            field="teller",
        )
    if teller.branch_id is None:
        raise ValidationFailed(_("The teller has no branch."), field="teller")
    require_branch(actor, teller.branch_id)
    if teller.pk == actor.pk:
        raise PermissionDenied(_("A till is opened by the manager, not by its teller."))
    amounts = _amounts(floats, field="floats")
    held = list(amounts)
    for cur in currencies:
        cur = _accepted_currency(cur, field="currencies")
        if cur not in held:
            held.append(cur)
    if not held:
        raise ValidationFailed(
            _("Give the float or at least one currency the till will hold."), field="floats"
        )
    bdate = institution_get().business_date
    if Till.objects.filter(teller=teller, business_date=bdate).exists():
        raise Conflict(
            _("%(name)s already has a till for %(date)s: one till per teller per day.")
            % {"name": teller, "date": bdate.strftime("%d/%m/%Y")},
            code="till_exists",
        )
    vault = _vault_locked(teller.branch_id)
    short = [
        money_text(m)
        for m in amounts.values()
        if m.minor > vault_available_minor(vault, m.currency)
    ]
    if short:
        raise ValidationFailed(
            _("The vault does not hold enough for this float: %(list)s.")
            % {"list": ", ".join(short)},
            field="floats",
            code="insufficient_cash",
        )
    till = Till.objects.create(
        branch_id=teller.branch_id,
        vault=vault,
        teller=teller,
        business_date=bdate,
        status=TillStatus.OPEN,
        currencies=sorted(held),
        opened_by=actor,
    )
    audit_record(actor=actor, action="till.open", obj=till, after=snapshot(till))
    if amounts:
        _transfer_create(
            actor=actor,
            till=till,
            direction=TransferDirection.TO_TILL,
            amounts={c: m.minor for c, m in amounts.items()},
            note=_("Opening float"),
        )
    return till


# --- transfers -------------------------------------------------------------------------
def _transfer_create(
    *,
    actor,
    till: Till,
    direction: str,
    amounts: dict[str, int],
    note: str = "",
    is_closing: bool = False,
) -> CashTransfer:
    transfer = CashTransfer.objects.create(
        till=till,
        direction=direction,
        amounts=amounts,
        initiated_by=actor,
        note=note[:200],
        is_closing=is_closing,
    )
    audit_record(
        actor=actor,
        action="cash_transfer.create",
        obj=transfer,
        after=snapshot(transfer),
        branch_id=till.branch_id,
    )
    return transfer


@transaction.atomic
def cash_transfer_create(
    *,
    actor: User,
    till: Till,
    direction: str,
    amounts: Iterable[Money] | Mapping[str, Money],
    note: str = "",
) -> CashTransfer:
    """During the day: more cash from the vault (the manager sends, ``to_till``) or
    excess cash to the vault (the teller sends, ``to_vault``)."""
    till = _lock_till(till.pk)
    if direction == TransferDirection.TO_TILL:
        require_perm(actor, "vault.manage")
        require_branch(actor, till.branch_id)
    elif direction == TransferDirection.TO_VAULT:
        require_perm(actor, "till.operate")
        if till.teller_id != actor.pk:
            raise PermissionDenied(_("Only the till's teller hands its cash to the vault."))
    else:
        raise ValidationFailed(_("Unknown direction."), field="direction")
    if till.status != TillStatus.OPEN:
        raise Conflict(_("This till is not open."), code="till_not_open")
    money = _amounts(amounts, field="amounts")
    if direction == TransferDirection.TO_TILL:
        vault = _vault_locked(till.branch_id)
        short = [m for m in money.values() if m.minor > vault_available_minor(vault, m.currency)]
        missing = [m for m in money if m not in till.currencies]
        if missing:
            till.currencies = sorted(set(till.currencies) | set(missing))
            till.save(update_fields=["currencies"])
    else:
        short = [m for m in money.values() if m.minor > till_available_minor(till, m.currency)]
    if short:
        raise ValidationFailed(
            _("Not enough cash to send: %(list)s.")
            % {"list": ", ".join(money_text(m) for m in short)},
            field="amounts",
            code="insufficient_cash",
        )
    return _transfer_create(
        actor=actor,
        till=till,
        direction=direction,
        amounts={c: m.minor for c, m in money.items()},
        note=note,
    )


def _require_receiver(actor, transfer: CashTransfer) -> None:
    till = transfer.till
    if transfer.direction == TransferDirection.TO_TILL:
        if till.teller_id != actor.pk:
            raise PermissionDenied(
                _("Only the till's teller confirms the cash she receives from the vault.")
            )
    else:
        require_perm(actor, "till.approve")
        require_branch(actor, till.branch_id)
        if till.teller_id == actor.pk:
            raise PermissionDenied(_("The teller cannot confirm her own cash into the vault."))


def _post_transfer(*, actor, transfer: CashTransfer, journal_key: str, approved_by=None) -> int:
    till = transfer.till
    vault = Vault.objects.select_for_update().get(pk=till.vault_id)
    lines: list[LineSpec] = []
    memo = _("Transfer %(id)s") % {"id": transfer.pk}
    for cur, minor in sorted(transfer.amounts.items()):
        money = Money.from_minor(int(minor), cur)
        if transfer.direction == TransferDirection.TO_TILL:
            if money.minor > vault_available_minor(vault, cur) + money.minor:
                raise ValidationFailed(
                    _("The vault no longer holds %(amount)s.") % {"amount": money_text(money)},
                    code="insufficient_cash",
                )
            lines += [_till_line(till, money, "dr", memo), _vault_line(vault, money, "cr", memo)]
        else:
            lines += [_vault_line(vault, money, "dr", memo), _till_line(till, money, "cr", memo)]
    if transfer.direction == TransferDirection.TO_TILL:
        narrative = _("Vault %(branch)s → till %(till)s (%(teller)s)")
    else:
        narrative = _("Till %(till)s (%(teller)s) → vault %(branch)s")
    entry = journal_post(
        actor=actor,
        business_date=till.business_date,
        narrative=narrative
        % {"branch": till.branch.code, "till": till.pk, "teller": till.teller.get_username()},
        lines=lines,
        source_type="tellers.transfer",
        source_id=str(transfer.pk),
        idempotency_key=journal_key,
        branch=till.branch,
        approved_by=approved_by,
    )
    return entry.number


@transaction.atomic
def cash_transfer_confirm(*, actor: User, transfer: CashTransfer, journal_key: str) -> CashTransfer:
    """The receiver confirms: the cash moves (one journal entry)."""
    transfer = CashTransfer.objects.select_for_update().select_related("till").get(pk=transfer.pk)
    _require_receiver(actor, transfer)
    if transfer.is_closing:
        raise ValidationFailed(
            _("The cash returned at closing is confirmed with the closing of the till."),
            code="use_till_close_confirm",
        )
    if transfer.status != TransferStatus.PENDING:
        raise Conflict(
            _("This transfer is already %(status)s.")
            % {"status": transfer.get_status_display().lower()},
            code="transfer_decided",
        )
    till = _lock_till(transfer.till_id)
    if till.status != TillStatus.OPEN:
        raise Conflict(_("This till is not open."), code="till_not_open")
    before = snapshot(transfer)
    transfer.entry_number = _post_transfer(actor=actor, transfer=transfer, journal_key=journal_key)
    transfer.status = TransferStatus.CONFIRMED
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["entry_number", "status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="cash_transfer.confirm",
        obj=transfer,
        before=before,
        after=snapshot(transfer),
        branch_id=till.branch_id,
    )
    return transfer


@transaction.atomic
def cash_transfer_cancel(*, actor: User, transfer: CashTransfer, reason: str = "") -> CashTransfer:
    """The sender withdraws, or the receiver refuses, a pending transfer: nothing moves."""
    transfer = CashTransfer.objects.select_for_update().select_related("till").get(pk=transfer.pk)
    till = transfer.till
    if transfer.is_closing:
        raise ValidationFailed(
            _("To redo a closing count, the manager sends the till back for a recount."),
            code="use_till_recount",
        )
    allowed = actor.pk in (transfer.initiated_by_id, till.teller_id) or (
        has_perm(actor, "till.approve")
        and (actor.sees_all_branches or actor.branch_id == till.branch_id)
    )
    if not allowed:
        raise PermissionDenied(_("Only the sender or the receiver may cancel this transfer."))
    if transfer.status != TransferStatus.PENDING:
        raise Conflict(_("This transfer is no longer pending."), code="transfer_decided")
    before = snapshot(transfer)
    transfer.status = TransferStatus.CANCELLED
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.note = (reason or transfer.note)[:200]
    transfer.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit_record(
        actor=actor,
        action="cash_transfer.cancel",
        obj=transfer,
        before=before,
        after=snapshot(transfer),
        reason=reason,
        branch_id=till.branch_id,
    )
    return transfer


# --- closing -----------------------------------------------------------------------------
def _parse_counts(counts: Mapping[str, Mapping]) -> dict[str, dict[int, object]]:
    parsed: dict[str, dict[int, object]] = {}
    errors: list[str] = []
    for cur, lines in (counts or {}).items():
        cur = str(cur).upper()
        parsed[cur] = {}
        for value, pieces in (lines or {}).items():
            try:
                value_minor = int(str(value))
            except ValueError:
                errors.append(
                    _("%(currency)s: %(value)s is not a face value.")
                    % {"currency": cur, "value": value}
                )
                continue
            if isinstance(pieces, str) and pieces.strip().lstrip("-").isdigit():
                pieces = int(pieces.strip())
            parsed[cur][value_minor] = pieces
    if errors:
        raise ValidationFailed(errors[0], errors={"counts": errors}, code="invalid_count")
    return parsed


def _count_error_message(code: str, currency: str, value_minor: int) -> str:
    face = money_text(Money.from_minor(value_minor, currency)) if value_minor else currency
    if code == "negative":
        return _("%(face)s: the number of notes cannot be negative.") % {"face": face}
    if code == "not_integer":
        return _("%(face)s: give a whole number of notes or coins.") % {"face": face}
    if code == "unknown_denomination":
        return _("%(face)s is not in the table of notes and coins.") % {"face": face}
    return _("%(currency)s is not held by this till.") % {"currency": currency}


@transaction.atomic
def till_close(*, actor: User, till: Till, counts: Mapping[str, Mapping]) -> TillCount:
    """The teller counts her cash by denomination (``{"CDF": {"2000000": 3}}``: face
    value in minor units → pieces) and hands it to the vault. The till stops taking
    operations; the manager confirms (and approves any difference) with
    :func:`till_close_confirm`."""
    require_perm(actor, "till.operate")
    till = _lock_till(till.pk)
    if till.teller_id != actor.pk:
        raise PermissionDenied(_("Only the till's teller counts its cash."))
    if till.status == TillStatus.CLOSED:
        raise Conflict(_("This till is already closed."), code="till_closed")
    if till.status == TillStatus.CLOSING:
        raise Conflict(
            _("This till has already been counted and waits for the manager."),
            code="till_closing",
        )
    if CashTransfer.objects.filter(till=till, status=TransferStatus.PENDING).exists():
        raise ValidationFailed(
            _("A transfer with the vault is still pending: confirm or cancel it before closing."),
            code="transfer_pending",
        )
    parsed = _parse_counts(counts)
    allowed = {
        cur: [d.value_minor for d in Denomination.objects.filter(currency=cur, is_active=True)]
        for cur in till.currencies
    }
    try:
        counted = count_totals(parsed, allowed)
    except CountError as exc:
        messages = [_count_error_message(*p) for p in exc.problems]
        raise ValidationFailed(messages[0], errors={"counts": messages}, code="invalid_count")
    expected = till_balances(till)
    counted = {cur: counted.get(cur, 0) for cur in sorted(set(expected) | set(counted))}
    count = TillCount.objects.create(
        till=till,
        counts={c: {str(k): v for k, v in lines.items()} for c, lines in parsed.items()},
        expected=expected,
        counted=counted,
        counted_by=actor,
    )
    before = snapshot(till)
    till.status = TillStatus.CLOSING
    till.save(update_fields=["status"])
    returned = {c: v for c, v in counted.items() if v > 0}
    if returned:
        _transfer_create(
            actor=actor,
            till=till,
            direction=TransferDirection.TO_VAULT,
            amounts=returned,
            note=_("Cash returned at closing"),
            is_closing=True,
        )
    audit_record(
        actor=actor,
        action="till.count",
        obj=till,
        before=before,
        after={
            **snapshot(till),
            "expected": expected,
            "counted": counted,
        },
    )
    return count


def current_count(till: Till) -> TillCount | None:
    return till.counts.filter(rejected_at__isnull=True).order_by("-id").first()


@transaction.atomic
def till_close_confirm(*, actor: User, till: Till, reason: str = "", journal_key: str) -> Till:
    """The manager receives the counted cash into the vault and closes the till. A
    difference (counted ≠ expected) is posted to ``teller_difference`` and needs her
    reason (shortage: Dr teller_difference / Cr till cash; overage: the reverse)."""
    require_perm(actor, "till.approve")
    till = _lock_till(till.pk)
    require_branch(actor, till.branch_id)
    if till.teller_id == actor.pk:
        raise PermissionDenied(_("The teller cannot approve her own closing."))
    if till.status == TillStatus.CLOSED:
        raise Conflict(_("This till is already closed."), code="till_closed")
    if till.status != TillStatus.CLOSING:
        raise Conflict(_("The teller has not counted this till yet."), code="till_not_counted")
    count = current_count(till)
    reason = (reason or "").strip()
    before = snapshot(till)
    if count.has_difference:
        if not reason:
            raise ValidationFailed(
                _(
                    "The count differs from the expected cash (%(diff)s): give the reason to approve it."
                )
                % {"diff": _amounts_text({c: d for c, d in count.differences.items() if d})},
                field="reason",
                code="reason_required",
            )
        lines: list[LineSpec] = []
        for cur, diff in count.differences.items():
            if not diff:
                continue
            money = Money.from_minor(abs(diff), cur)
            account = account_for("teller_difference", cur)
            kw = {
                "subledger_type": TILL_SUBLEDGER,
                "subledger_id": str(till.pk),
                "memo": reason[:200],
            }
            if diff < 0:  # short
                lines += [
                    LineSpec.dr(account, money, **kw),
                    _till_line(till, money, "cr", reason[:200]),
                ]
            else:
                lines += [
                    _till_line(till, money, "dr", reason[:200]),
                    LineSpec.cr(account, money, **kw),
                ]
        entry = journal_post(
            actor=till.teller,
            approved_by=actor,
            business_date=till.business_date,
            narrative=_("Till %(till)s difference at closing (%(teller)s)")
            % {"till": till.pk, "teller": till.teller.get_username()},
            lines=lines,
            source_type="tellers.till_difference",
            source_id=str(till.pk),
            idempotency_key=f"{journal_key}:difference",
            branch=till.branch,
        )
        count.approved_by = actor
        count.difference_reason = reason
        count.difference_entry_number = entry.number
        count.save(update_fields=["approved_by", "difference_reason", "difference_entry_number"])
    transfer = (
        CashTransfer.objects.select_for_update()
        .filter(till=till, is_closing=True, status=TransferStatus.PENDING)
        .first()
    )
    if transfer is not None:
        transfer.entry_number = _post_transfer(
            actor=actor, transfer=transfer, journal_key=f"{journal_key}:return"
        )
        transfer.status = TransferStatus.CONFIRMED
        transfer.decided_by = actor
        transfer.decided_at = timezone.now()
        transfer.save(update_fields=["entry_number", "status", "decided_by", "decided_at"])
    left = {c: v for c, v in till_balances(till).items() if v}
    if left:  # cannot happen: counted = expected + difference, all returned
        raise Conflict(
            _("The till would not be empty after closing: %(left)s.")
            % {"left": _amounts_text(left)},
            code="till_not_empty",
        )
    till.status = TillStatus.CLOSED
    till.closed_by = actor
    till.closed_at = timezone.now()
    till.save(update_fields=["status", "closed_by", "closed_at"])
    audit_record(
        actor=actor,
        action="till.close",
        obj=till,
        before=before,
        after=snapshot(till),
        reason=reason,
    )
    return till


@transaction.atomic
def till_recount(*, actor: User, till: Till, reason: str) -> Till:
    """The manager sends a counted till back to its teller (the count is kept, marked
    rejected; the cash was not received): the till is open again."""
    require_perm(actor, "till.approve")
    till = _lock_till(till.pk)
    require_branch(actor, till.branch_id)
    if till.status != TillStatus.CLOSING:
        raise Conflict(
            _("Only a counted till awaiting the manager can be recounted."), code="till_not_counted"
        )
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why the till must be recounted."), field="reason")
    count = current_count(till)
    now = timezone.now()
    count.rejected_by, count.rejected_at, count.rejection_reason = actor, now, reason.strip()
    count.save(update_fields=["rejected_by", "rejected_at", "rejection_reason"])
    CashTransfer.objects.filter(till=till, is_closing=True, status=TransferStatus.PENDING).update(
        status=TransferStatus.CANCELLED, decided_by=actor, decided_at=now
    )
    before = snapshot(till)
    till.status = TillStatus.OPEN
    till.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="till.recount",
        obj=till,
        before=before,
        after=snapshot(till),
        reason=reason,
    )
    return till


def business_date() -> dt.date:
    return institution_get().business_date
