"""The state of a loan as replay computes it, and the transactions it replays.

Values only: :mod:`.allocation` builds them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .charges import OverdueInstallment
from .rounding import ZERO


class AllocationError(ValueError):
    """A transaction that cannot be applied (the message says why)."""


class Component(StrEnum):
    PENALTIES = "penalties"
    FEES = "fees"
    INTEREST = "interest"
    PRINCIPAL = "principal"


DEFAULT_ORDER = (Component.PENALTIES, Component.FEES, Component.INTEREST, Component.PRINCIPAL)


@dataclass(frozen=True, slots=True)
class Repayment:
    on_date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Waiver:
    """Waive ``amount`` of interest, fees or penalties: of one instalment, or oldest first."""

    on_date: date
    component: Component
    amount: Decimal
    installment: int | None = None


@dataclass(frozen=True, slots=True)
class ChargeApplied:
    """A fee or penalty added to an instalment (e.g. a late penalty from ``penalties_due``)."""

    on_date: date
    installment: int
    amount: Decimal
    component: Component = Component.PENALTIES


Transaction = Repayment | Waiver | ChargeApplied


@dataclass(frozen=True, slots=True)
class Components:
    principal: Decimal = ZERO
    interest: Decimal = ZERO
    fees: Decimal = ZERO
    penalties: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fees + self.penalties

    def get(self, component: Component) -> Decimal:
        return getattr(self, str(component))

    def __add__(self, other: Components) -> Components:
        return Components(
            self.principal + other.principal,
            self.interest + other.interest,
            self.fees + other.fees,
            self.penalties + other.penalties,
        )


@dataclass(frozen=True, slots=True)
class InstallmentState:
    number: int
    from_date: date
    due_date: date
    due: Components
    paid: Components
    waived: Components
    completed_on: date | None

    @property
    def outstanding(self) -> Components:
        d, p, w = self.due, self.paid, self.waived
        return Components(
            d.principal - p.principal - w.principal,
            d.interest - p.interest - w.interest,
            d.fees - p.fees - w.fees,
            d.penalties - p.penalties - w.penalties,
        )

    def unpaid_on(self, on_date: date) -> bool:
        return self.completed_on is None or self.completed_on > on_date


@dataclass(frozen=True, slots=True)
class Allocation:
    """What one transaction did: amounts paid (repayment), waived (waiver) or added
    (charge), by component and by instalment; ``credit`` is the overpayment;
    ``interest_forgone`` the future interest a payoff at interest-to-date removed."""

    transaction: Transaction
    amounts: Components
    credit: Decimal
    interest_forgone: Decimal
    by_installment: tuple[tuple[int, Components], ...]


@dataclass(frozen=True, slots=True)
class LoanState:
    installments: tuple[InstallmentState, ...]
    allocations: tuple[Allocation, ...]
    credit: Decimal
    closed_on: date | None

    def outstanding(self) -> Components:
        return sum_components(row.outstanding for row in self.installments)

    def overdue(self, as_of: date) -> Components:
        """Outstanding amounts of instalments due before ``as_of``."""
        return sum_components(row.outstanding for row in self.installments if row.due_date < as_of)

    def overdue_installments(self, as_of: date) -> tuple[OverdueInstallment, ...]:
        rows = []
        for row in self.installments:
            out = row.outstanding
            if row.due_date < as_of and out.total > 0:
                rows.append(
                    OverdueInstallment(
                        row.number, row.due_date, out.principal, out.interest, out.fees
                    )
                )
        return tuple(rows)

    def days_past_due(self, as_of: date) -> int:
        """Days since the due date of the oldest instalment unpaid at ``as_of`` (0 if none).

        An instalment falling due on ``as_of`` is not yet past due. Completion dates make
        this right for any ``as_of`` up to the last transaction replayed.
        """
        for row in self.installments:
            if row.due_date >= as_of:
                return 0
            if row.unpaid_on(as_of):
                return (as_of - row.due_date).days
        return 0


def sum_components(items: Iterable[Components]) -> Components:
    total = Components()
    for item in items:
        total = total + item
    return total
