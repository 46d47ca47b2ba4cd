"""Writes of the reports app: the prudential norms table (load from the preset, edit)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from mupaka.core.audit import audit_record, snapshot
from mupaka.core.exceptions import NotFound, ValidationFailed
from mupaka.core.permissions import require_perm
from mupaka.reports import presets
from mupaka.reports.domain.prudential import validate_norm
from mupaka.reports.models import PrudentialNorm

NORM_FIELDS = ("comparator", "threshold", "is_example", "source", "numerator", "denominator")


def prudential_norms_load(*, actor, preset: str) -> int:
    """Copy the preset's norms into the table; norms already there are kept as edited.
    Returns how many were created. ``actor`` None: the demo or a command."""
    if actor is not None:
        require_perm(actor, "reports.norms.manage")
    try:
        data = presets.preset_get(preset)
    except presets.PresetError as exc:
        raise ValidationFailed(str(exc), field="preset", code="unknown_preset")
    created = 0
    with transaction.atomic():
        for position, item in enumerate(data.get("norms", [])):
            norm, made = PrudentialNorm.objects.get_or_create(
                preset=preset,
                key=item["key"],
                defaults={
                    "position": position,
                    "name_fr": item["name_fr"],
                    "name_en": item["name_en"],
                    "comparator": item["comparator"],
                    "threshold": str(Decimal(str(item["threshold"]))),
                    "is_example": item["status"] == "example",
                    "source": item.get("source", ""),
                    "numerator": item.get("numerator", {}),
                    "denominator": item.get("denominator", {}),
                    "updated_by": actor,
                },
            )
            if made:
                created += 1
                audit_record(
                    actor=actor,
                    action="reports.norm.load",
                    obj=norm,
                    after=snapshot(norm, NORM_FIELDS),
                )
    return created


def _accounts(value, field: str) -> dict:
    if isinstance(value, dict):
        return value
    numbers = [n.strip() for n in str(value or "").replace(";", ",").split(",") if n.strip()]
    if not numbers:
        raise ValidationFailed(_("Name at least one account number."), field=field)
    add = [n for n in numbers if not n.startswith("-")]
    subtract = [n[1:].strip() for n in numbers if n.startswith("-")]
    return {"add": add, "subtract": subtract} if subtract else {"add": add}


def prudential_norm_update(
    *,
    actor,
    norm_id: int,
    comparator: str,
    threshold_percent: str,
    is_example: bool,
    source: str = "",
    numerator: str | dict | None = None,
    denominator: str | dict | None = None,
) -> PrudentialNorm:
    """Change a norm's threshold (entered in percent: "10" is 10 %), its direction, its
    source, and the accounts of its two sides (``"10, 11, -2"``: minus takes an account off)."""
    require_perm(actor, "reports.norms.manage")
    try:
        threshold = Decimal(str(threshold_percent).replace(",", ".").strip()) / 100
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Enter the threshold as a number of percent."), field="threshold")
    problems = validate_norm(comparator, threshold)
    errors: dict[str, list[str]] = {}
    if "comparator" in problems:
        errors["comparator"] = [_("Choose “at least” or “at most”.")]
    if problems.get("threshold") == "negative":
        errors["threshold"] = [_("A threshold cannot be negative.")]
    elif problems.get("threshold") == "too_large":
        errors["threshold"] = [_("A threshold above 10,000 percent is surely a typing mistake.")]
    if errors:
        raise ValidationFailed(_("The norm was not changed."), errors=errors)
    with transaction.atomic():
        norm = PrudentialNorm.objects.select_for_update().filter(pk=norm_id).first()
        if norm is None:
            raise NotFound(_("There is no such prudential norm."))
        before = snapshot(norm, NORM_FIELDS)
        norm.comparator = comparator
        norm.threshold = str(threshold.normalize())
        norm.is_example = is_example
        norm.source = source
        if numerator is not None:
            norm.numerator = _accounts(numerator, "numerator")
        if denominator is not None:
            norm.denominator = _accounts(denominator, "denominator")
        norm.updated_by = actor
        norm.save()
        audit_record(
            actor=actor,
            action="reports.norm.update",
            obj=norm,
            before=before,
            after=snapshot(norm, NORM_FIELDS),
        )
    return norm
