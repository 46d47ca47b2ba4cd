"""Prudential ratios checked against the thresholds of the regulator's preset.

The thresholds are data (``mupaka/reports/presets/<country>.yaml`` loaded into an editable
table); this module only divides and compares. A ratio whose denominator is zero is not
computable and is neither met nor failed (``met is None``), so an empty set of books does
not pass for compliant.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

COMPARATORS = (">=", "<=")


@dataclass(frozen=True)
class Norm:
    key: str
    comparator: str  # ">=": the ratio must be at least the threshold; "<=": at most
    threshold: Decimal  # a fraction: 0.10 is 10 %
    example: bool = True  # an example value the institution must replace


@dataclass(frozen=True)
class RatioCheck:
    key: str
    numerator_minor: int
    denominator_minor: int
    value: Decimal | None
    comparator: str
    threshold: Decimal
    met: bool | None
    example: bool


def validate_norm(comparator: str, threshold: Decimal) -> dict[str, str]:
    """Problems with a threshold as entered (empty when it is acceptable)."""
    errors: dict[str, str] = {}
    if comparator not in COMPARATORS:
        errors["comparator"] = "unknown_comparator"
    if threshold < 0:
        errors["threshold"] = "negative"
    elif threshold > 100:
        errors["threshold"] = "too_large"
    return errors


def check(norm: Norm, *, numerator_minor: int, denominator_minor: int) -> RatioCheck:
    if denominator_minor == 0:
        value = None
        met = None
    else:
        value = Decimal(numerator_minor) / Decimal(denominator_minor)
        met = value >= norm.threshold if norm.comparator == ">=" else value <= norm.threshold
    return RatioCheck(
        key=norm.key,
        numerator_minor=numerator_minor,
        denominator_minor=denominator_minor,
        value=value,
        comparator=norm.comparator,
        threshold=norm.threshold,
        met=met,
        example=norm.example,
    )


def sum_accounts(amounts: dict[str, int], add: list[str], subtract: list[str] = ()) -> int:
    """Total of the named account numbers (headers roll their children up), less others.
    A number absent from ``amounts`` counts as zero."""
    return sum(amounts.get(n, 0) for n in add) - sum(amounts.get(n, 0) for n in subtract)
