"""The notes and coins counted at closing, per currency: data the manager or the
administrator keeps up to date (a new note issued, an old one withdrawn), audited.
A till's count accepts the denominations in use only; a withdrawn one is kept (with the
counts that used it) and can be put back in use."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record, snapshot
from mupaka.core.exceptions import Conflict, ValidationFailed
from mupaka.core.money import Money, is_known_currency
from mupaka.core.permissions import require_perm
from mupaka.core.selectors import institution_get
from mupaka.tellers.models import Denomination
from mupaka.tellers.selectors import money_text

__all__ = ["denomination_add", "denomination_set_active"]

FIELDS = ["currency", "value_minor", "kind", "is_active", "note"]


def _face_minor(currency: str, face_value) -> int:
    try:
        amount = Money.of(str(face_value).strip().replace(",", "."), currency)
    except (InvalidOperation, ValueError, TypeError, ArithmeticError):
        raise ValidationFailed(_("Give the face value as a number."), field="face_value")
    if amount.amount <= 0:
        raise ValidationFailed(_("The face value must be greater than zero."), field="face_value")
    if not amount.is_exact:
        raise ValidationFailed(
            _("%(currency)s amounts have at most %(n)s decimals.")
            % {"currency": currency, "n": amount.exponent},
            field="face_value",
        )
    return amount.minor


@transaction.atomic
def denomination_add(
    *, actor, currency: str, face_value: Decimal | str, kind: str, note: str = ""
) -> Denomination:
    """Add a note or coin to the table of ``currency`` (in use from now on)."""
    require_perm(actor, "denomination.manage")
    currency = (currency or "").strip().upper()
    accepted = list(institution_get().accepted_currencies or [])
    if not is_known_currency(currency) or (accepted and currency not in accepted):
        raise ValidationFailed(
            _("The institution does not trade %(currency)s.") % {"currency": currency or "—"},
            field="currency",
        )
    if kind not in Denomination.Kind.values:
        raise ValidationFailed(_("Choose a note or a coin."), field="kind")
    value_minor = _face_minor(currency, face_value)
    existing = Denomination.objects.filter(currency=currency, value_minor=value_minor).first()
    if existing is not None:
        message = (
            _("%(face)s is already in the table.")
            if existing.is_active
            else _("%(face)s is already in the table, withdrawn: put it back in use instead.")
        )
        raise Conflict(
            message % {"face": money_text(Money.from_minor(value_minor, currency))},
            field="face_value",
            code="denomination_exists",
        )
    try:
        with transaction.atomic():
            denomination = Denomination.objects.create(
                currency=currency,
                value_minor=value_minor,
                kind=kind,
                note=" ".join((note or "").split())[:200],
                is_active=True,
            )
    except IntegrityError:  # added at the same moment by someone else
        raise Conflict(_("This denomination was just added."), code="denomination_exists")
    audit_record(
        actor=actor,
        action="denomination.add",
        obj=denomination,
        object_repr=money_text(Money.from_minor(value_minor, currency)),
        after=snapshot(denomination, FIELDS),
    )
    return denomination


@transaction.atomic
def denomination_set_active(
    *, actor, denomination: Denomination, active: bool, reason: str
) -> Denomination:
    """Withdraw a note or coin from the counts (``active=False``) or put it back in use.
    The last denomination in use of a currency is not withdrawn: tills could not count it."""
    require_perm(actor, "denomination.manage")
    denomination = Denomination.objects.select_for_update().get(pk=denomination.pk)
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise ValidationFailed(_("Give the reason for this change."), field="reason")
    if denomination.is_active == bool(active):
        raise ValidationFailed(
            _("This denomination is already in use.")
            if active
            else _("This denomination is already withdrawn."),
            field="is_active",
            code="unchanged",
        )
    if not active:
        in_use = (
            Denomination.objects.select_for_update()
            .filter(currency=denomination.currency, is_active=True)
            .exclude(pk=denomination.pk)
            .count()
        )
        if in_use == 0:
            raise ValidationFailed(
                _("It is the last %(currency)s denomination in use: tills could not count.")
                % {"currency": denomination.currency},
                field="is_active",
                code="last_denomination",
            )
    before = snapshot(denomination, FIELDS)
    denomination.is_active = bool(active)
    denomination.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="denomination.activate" if active else "denomination.deactivate",
        obj=denomination,
        object_repr=money_text(Money.from_minor(denomination.value_minor, denomination.currency)),
        before=before,
        after=snapshot(denomination, FIELDS),
        reason=reason,
    )
    return denomination
