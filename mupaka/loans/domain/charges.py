"""Charges: the fees of a schedule and late-payment penalties.

Disbursement and instalment fees are :class:`~.terms.Charge` values inside the terms and are
computed by the schedule generator. Late penalties depend on what the member has paid, so
they are computed here, as of a date, from the overdue state the allocation engine reports
(:meth:`~.allocation.LoanState.overdue_installments`); the end-of-day job applies what this
returns as ``ChargeApplied`` transactions and replays.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from .rounding import CALC_CONTEXT, HUNDRED, ZERO, MoneyRounding
from .terms import InvalidTerms


class PenaltyCalculation(StrEnum):
    FLAT = "flat"
    PERCENT_OF_OVERDUE = "percent-of-overdue"


class OverdueBasis(StrEnum):
    """What a percentage penalty is a percentage of."""

    PRINCIPAL = "principal"
    PRINCIPAL_INTEREST = "principal-interest"
    TOTAL = "total"  # principal, interest and fees


@dataclass(frozen=True, slots=True)
class PenaltyRule:
    """A late-payment penalty of a product.

    It falls due when an instalment is more than ``tolerance_days`` late, i.e. on
    due date + tolerance + 1 day; then, if ``repeat_every_days`` is set, again every that many
    days while the instalment stays unpaid ("per period overdue"), otherwise only once.
    ``amount`` is money for FLAT and a percentage of the instalment's overdue amount
    (``basis``) on the day the penalty falls due otherwise.
    """

    calculation: PenaltyCalculation
    amount: Decimal
    tolerance_days: int = 0
    repeat_every_days: int | None = None
    basis: OverdueBasis = OverdueBasis.PRINCIPAL_INTEREST

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "calculation", PenaltyCalculation(self.calculation))
            object.__setattr__(self, "basis", OverdueBasis(self.basis))
        except ValueError as exc:
            raise InvalidTerms(str(exc)) from exc
        if not self.amount.is_finite() or self.amount < 0:
            raise InvalidTerms(f"a penalty must be zero or positive, not {self.amount}")
        if self.tolerance_days < 0:
            raise InvalidTerms("the penalty tolerance cannot be negative")
        if self.repeat_every_days is not None and self.repeat_every_days < 1:
            raise InvalidTerms("a repeating penalty repeats every one day or more")


@dataclass(frozen=True, slots=True)
class OverdueInstallment:
    """What is still unpaid on an instalment whose due date has passed."""

    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    fees: Decimal

    def base(self, basis: OverdueBasis) -> Decimal:
        if basis == OverdueBasis.PRINCIPAL:
            return self.principal
        if basis == OverdueBasis.PRINCIPAL_INTEREST:
            return self.principal + self.interest
        return self.principal + self.interest + self.fees


@dataclass(frozen=True, slots=True)
class PenaltyCharge:
    """A penalty to apply to instalment ``installment`` on ``on_date``."""

    installment: int
    on_date: date
    amount: Decimal


def penalty_dates(due_date: date, as_of: date, rule: PenaltyRule) -> list[date]:
    """The dates, up to ``as_of``, on which ``rule`` charges an instalment due ``due_date``
    that is still unpaid at ``as_of``."""
    first = due_date + timedelta(days=rule.tolerance_days + 1)
    if first > as_of:
        return []
    if rule.repeat_every_days is None:
        return [first]
    count = (as_of - first).days // rule.repeat_every_days + 1
    return [first + timedelta(days=i * rule.repeat_every_days) for i in range(count)]


def penalties_due(
    overdue: Iterable[OverdueInstallment],
    rule: PenaltyRule,
    *,
    as_of: date,
    money: MoneyRounding,
    already_applied: Mapping[int, int] | None = None,
) -> tuple[PenaltyCharge, ...]:
    """Penalties ``rule`` charges up to ``as_of`` that are not applied yet.

    ``already_applied`` maps an instalment number to how many penalties of this rule it has
    had; those are skipped, so calling this every evening yields each penalty once. A
    percentage penalty is computed on the overdue amount now (the caller replays up to
    ``as_of``), rounded with the product's rounding.
    """
    applied = already_applied or {}
    charges: list[PenaltyCharge] = []
    for row in overdue:
        base = row.base(rule.basis)
        if base <= 0:
            continue
        dates = penalty_dates(row.due_date, as_of, rule)[applied.get(row.number, 0) :]
        if not dates:
            continue
        if rule.calculation == PenaltyCalculation.FLAT:
            amount = money.round(rule.amount)
        else:
            amount = money.round(
                CALC_CONTEXT.divide(CALC_CONTEXT.multiply(base, rule.amount), HUNDRED)
            )
        if amount <= ZERO:
            continue
        charges.extend(PenaltyCharge(row.number, on_date, amount) for on_date in dates)
    return tuple(charges)
