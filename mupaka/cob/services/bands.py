"""Provisioning bands: loaded from the regulatory preset, replaced as a whole table by the
accountant (checked: no overlap, no gap, no negative figure)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from mupaka.cob.domain import bands as rules
from mupaka.cob.models import ProvisionBand
from mupaka.core.audit import audit_record
from mupaka.core.exceptions import ValidationFailed
from mupaka.core.permissions import require_perm
from mupaka.core.selectors import institution_get

PRESET_DIR = Path(__file__).resolve().parent.parent / "presets"


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


@lru_cache(maxsize=8)
def preset_read(name: str) -> dict[str, Any]:
    path = PRESET_DIR / f"{name}.yaml"
    if not path.exists():
        raise ValidationFailed(
            _("There is no provisioning preset %(name)s (available: %(names)s).")
            % {"name": name, "names": ", ".join(preset_names())},
            field="preset",
        )
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def accrual_stop_days() -> int:
    """Days late after which a loan's interest is no longer recognised (from the preset)."""
    try:
        data = preset_read(institution_get().regulatory_preset)
    except ValidationFailed:
        return 90
    return int(data.get("accrual_stop_days", 90))


@dataclass(frozen=True)
class BandData:
    """One band as the accountant types it: percentages as text (``"12.5"``)."""

    restructured: bool
    min_days: int | str
    max_days: int | str | None
    rate: str
    category: str = ""
    label_fr: str = ""
    label_en: str = ""


def _problem_message(p: rules.BandProblem) -> str:
    kind = _("restructured loans") if p.restructured else _("ordinary loans")
    upper = "∞" if p.max_days is None else str(p.max_days)
    band = f"{p.min_days}–{upper}"
    other = f"{p.other_min}–{'∞' if p.other_max is None else p.other_max}"
    return {
        "negative_days": _("Band %(band)s (%(kind)s): days cannot be negative."),
        "negative_rate": _("Band %(band)s (%(kind)s): a rate cannot be negative."),
        "rate_above_100": _("Band %(band)s (%(kind)s): a rate cannot exceed 100 %%."),
        "inverted": _("Band %(band)s (%(kind)s): the last day comes before the first."),
        "overlap": _("Band %(band)s (%(kind)s) overlaps band %(other)s."),
        "gap": _("Between band %(other)s and band %(band)s (%(kind)s) some days have no band."),
        "no_start": _("The bands of %(kind)s must start at 0 day (the first starts at %(band)s)."),
        "not_open_ended": _("The last band of %(kind)s (%(band)s) must have no upper limit."),
        "missing_kind": _("The table needs bands for %(kind)s."),
    }[p.code] % {"band": band, "kind": kind, "other": other}


def _parse(data: list[BandData]) -> tuple[list[rules.Band], list[str]]:
    errors: list[str] = []
    parsed: list[rules.Band] = []
    for n, item in enumerate(data, start=1):
        try:
            min_days = int(item.min_days)
            max_days = None if item.max_days in (None, "") else int(item.max_days)
        except (TypeError, ValueError):
            errors.append(_("Line %(n)s: days must be whole numbers.") % {"n": n})
            continue
        try:
            percent = Decimal(str(item.rate).strip().replace(",", "."))
            if not percent.is_finite():
                raise InvalidOperation
            ppm = rules.percent_to_ppm(percent)
        except (InvalidOperation, ValueError):
            errors.append(
                _("Line %(n)s: the rate must be a percentage with at most four decimals.")
                % {"n": n}
            )
            continue
        parsed.append(
            rules.Band(
                restructured=bool(item.restructured),
                min_days=min_days,
                max_days=max_days,
                rate_ppm=ppm,
                category=(item.category or "").strip()[:40],
                label_fr=(item.label_fr or "").strip()[:120],
                label_en=(item.label_en or "").strip()[:120],
            )
        )
    return parsed, errors


def _write(*, actor, preset: str, bands: list[rules.Band], action: str) -> list[ProvisionBand]:
    before = [
        {
            "restructured": b.restructured,
            "min_days": b.min_days,
            "max_days": b.max_days,
            "rate_ppm": b.rate_ppm,
        }
        for b in ProvisionBand.objects.order_by("restructured", "min_days")
    ]
    ProvisionBand.objects.all().delete()
    rows = ProvisionBand.objects.bulk_create(
        [
            ProvisionBand(
                preset=preset,
                restructured=b.restructured,
                category=b.category,
                label_fr=b.label_fr or b.category,
                label_en=b.label_en or b.category,
                min_days=b.min_days,
                max_days=b.max_days,
                rate_ppm=b.rate_ppm,
            )
            for b in sorted(bands, key=lambda b: (b.restructured, b.min_days))
        ]
    )
    audit_record(
        actor=actor,
        action=action,
        object_type="cob.provisionband",
        object_id=preset,
        object_repr=_("Provisioning bands (%(preset)s)") % {"preset": preset},
        before={"bands": before},
        after={
            "bands": [
                {
                    "restructured": b.restructured,
                    "min_days": b.min_days,
                    "max_days": b.max_days,
                    "rate_ppm": b.rate_ppm,
                }
                for b in rows
            ]
        },
    )
    return rows


@transaction.atomic
def provision_bands_replace(*, actor, bands: list[BandData]) -> list[ProvisionBand]:
    """Replace the whole table. Refused (nothing written) on any overlap, gap, negative
    day or rate, rate above 100 %, or a table without bands for ordinary or for
    restructured loans; every problem is listed in ``errors["bands"]``."""
    require_perm(actor, "provision_bands.manage")
    parsed, errors = _parse(bands)
    if not errors:
        errors = [_problem_message(p) for p in rules.check_bands(parsed)]
    if errors:
        raise ValidationFailed(errors[0], errors={"bands": errors}, code="invalid_bands")
    preset = institution_get().regulatory_preset
    return _write(actor=actor, preset=preset, bands=parsed, action="provision_bands.replace")


@transaction.atomic
def provision_bands_load(*, actor, preset: str | None = None) -> list[ProvisionBand]:
    """Load the bands of ``preset`` (default: the institution's regulatory preset),
    replacing the table. ``actor`` None: set-up and demo."""
    if actor is not None:
        require_perm(actor, "provision_bands.manage")
    name = preset or institution_get().regulatory_preset
    data = preset_read(name)
    items = [
        BandData(
            restructured=bool(b.get("restructured")),
            min_days=b["min_days"],
            max_days=b.get("max_days"),
            rate=str(b["rate"]),
            category=b.get("category", ""),
            label_fr=b.get("label_fr", ""),
            label_en=b.get("label_en", ""),
        )
        for b in data.get("bands", [])
    ]
    parsed, errors = _parse(items)
    problems = errors or [_problem_message(p) for p in rules.check_bands(parsed)]
    if problems:
        raise ValidationFailed(problems[0], errors={"bands": problems}, code="invalid_bands")
    return _write(actor=actor, preset=name, bands=parsed, action="provision_bands.load")
