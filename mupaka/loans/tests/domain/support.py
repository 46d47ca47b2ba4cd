"""Helpers for the pure engine tests (plain pytest: no database, no Django settings needed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mupaka.loans.domain import LoanTerms, Schedule, generate_schedule


def D(value: str | int) -> Decimal:  # noqa: N802 - reads like a literal in the tables below
    return Decimal(str(value))


def terms(**overrides: object) -> LoanTerms:
    """Fineract's reference loan (12,000 at 24 % a year, 4 months, from 2011-09-20), changed
    by ``overrides``."""
    values: dict[str, object] = {
        "principal": D("12000.00"),
        "annual_rate": D(24),
        "installments": 4,
        "disbursement_date": date(2011, 9, 20),
    }
    values.update(overrides)
    return LoanTerms(**values)  # type: ignore[arg-type]


def schedule(**overrides: object) -> Schedule:
    return generate_schedule(terms(**overrides))


def column(s: Schedule, name: str) -> list[Decimal]:
    return [getattr(row, name) for row in s.installments]
