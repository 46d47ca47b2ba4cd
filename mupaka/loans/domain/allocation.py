"""Repayment allocation and loan state replay.

The state of a loan is never stored as running totals to be patched: it is what you get by
replaying its schedule with its transactions, in date order (ties keep the order given).
Reversing a repayment is replaying without it.

Allocation strategies (the order of components is configurable, default penalties -> fees
-> interest -> principal):

* ``COMPONENT_FIRST``: the first component of every instalment already due, oldest first,
  then the next component, and so on.
* ``INSTALLMENT_FIRST`` ("due-date order per instalment"): every component of the oldest
  instalment due, in order, before the next instalment.

Money left after what is due settles future instalments one by one, as scheduled; with
``PrepaymentMode.INTEREST_TO_DATE`` a payment that covers everything owed when interest is
counted only to the payment date closes the loan at that price instead. What is left after
the loan is paid off becomes a credit balance (a liability that can be refunded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .accrual import interest_earned_to
from .loan_state import (
    DEFAULT_ORDER,
    Allocation,
    AllocationError,
    ChargeApplied,
    Component,
    Components,
    InstallmentState,
    LoanState,
    Repayment,
    Transaction,
    Waiver,
    sum_components,
)
from .rounding import CALC_CONTEXT, ZERO
from .schedule import Schedule

__all__ = [
    "DEFAULT_ORDER",
    "Allocation",
    "AllocationError",
    "AllocationRules",
    "AllocationStrategy",
    "ChargeApplied",
    "Component",
    "Components",
    "InstallmentState",
    "LoanState",
    "PrepaymentMode",
    "Repayment",
    "Transaction",
    "Waiver",
    "payoff_quote",
    "replay",
]


class AllocationStrategy(StrEnum):
    COMPONENT_FIRST = "component-first"
    INSTALLMENT_FIRST = "installment-first"


class PrepaymentMode(StrEnum):
    SCHEDULED = "scheduled"
    INTEREST_TO_DATE = "interest-to-date"


@dataclass(frozen=True, slots=True)
class AllocationRules:
    strategy: AllocationStrategy = AllocationStrategy.COMPONENT_FIRST
    order: tuple[Component, ...] = DEFAULT_ORDER
    prepayment: PrepaymentMode = PrepaymentMode.SCHEDULED

    def __post_init__(self) -> None:
        object.__setattr__(self, "strategy", AllocationStrategy(self.strategy))
        object.__setattr__(self, "prepayment", PrepaymentMode(self.prepayment))
        object.__setattr__(self, "order", tuple(Component(c) for c in self.order))
        if sorted(self.order) != sorted(DEFAULT_ORDER):
            raise AllocationError("the allocation order must name each component exactly once")


_Moved = dict[int, list[Decimal]]  # instalment number -> amounts by component index
_INDEX = {c: i for i, c in enumerate(DEFAULT_ORDER)}
_PEN, _FEE, _INT, _PRI = (_INDEX[c] for c in DEFAULT_ORDER)


@dataclass(slots=True)
class _Row:
    number: int
    from_date: date
    due_date: date
    days: int
    due: list[Decimal]
    paid: list[Decimal] = field(default_factory=lambda: [ZERO] * 4)
    waived: list[Decimal] = field(default_factory=lambda: [ZERO] * 4)
    completed_on: date | None = None

    def left(self, i: int) -> Decimal:
        return self.due[i] - self.paid[i] - self.waived[i]

    def left_total(self) -> Decimal:
        # the same sum as sum((self.left(i) for i in range(4)), ZERO), unrolled (replay
        # calls it for every row after every transaction)
        due, paid, waived = self.due, self.paid, self.waived
        return (
            ZERO
            + (due[0] - paid[0] - waived[0])
            + (due[1] - paid[1] - waived[1])
            + (due[2] - paid[2] - waived[2])
            + (due[3] - paid[3] - waived[3])
        )

    def freeze(self) -> InstallmentState:
        return InstallmentState(
            self.number,
            self.from_date,
            self.due_date,
            _components(self.due),
            _components(self.paid),
            _components(self.waived),
            self.completed_on,
        )


def _values(c: Components) -> list[Decimal]:
    return [c.penalties, c.fees, c.interest, c.principal]


def _components(values: Sequence[Decimal]) -> Components:
    return Components(values[_PRI], values[_INT], values[_FEE], values[_PEN])


def replay(
    schedule: Schedule,
    transactions: Sequence[Transaction],
    rules: AllocationRules | None = None,
) -> LoanState:
    """The state of the loan after ``transactions``, applied in date order."""
    rules = rules or AllocationRules()
    money = schedule.terms.money
    rows = [
        _Row(i.number, i.from_date, i.due_date, i.days, [ZERO, i.fees, i.interest, i.principal])
        for i in schedule.installments
    ]
    for row in rows:  # nothing to pay (interest-free principal grace): settled from the start
        if not any(row.due):
            row.completed_on = schedule.terms.disbursement_date
    by_number = {row.number: row for row in rows}
    order = [_INDEX[c] for c in rules.order]
    credit = ZERO
    allocations: list[Allocation] = []
    closed_on: date | None = None
    ordered = sorted(enumerate(transactions), key=lambda pair: (pair[1].on_date, pair[0]))
    for _, tx in ordered:
        if tx.amount <= 0 or tx.amount != tx.amount.quantize(money.quantum, context=CALC_CONTEXT):
            raise AllocationError(
                f"an amount must be positive in the currency's minor units, not {tx.amount}"
            )
        moved: _Moved = {}
        forgone = extra = ZERO
        if isinstance(tx, Repayment):
            extra, forgone = _repay(schedule, rows, tx, rules, order, moved)
            credit += extra
        elif isinstance(tx, Waiver):
            _waive(rows, by_number, tx, moved)
        elif isinstance(tx, ChargeApplied):
            _apply_charge(by_number, tx, moved)
        else:
            raise AllocationError(f"unknown transaction {tx!r}")
        for row in rows:
            if row.left_total() == 0:
                if row.completed_on is None:
                    row.completed_on = tx.on_date
            else:
                row.completed_on = None
        settled = all(row.completed_on is not None for row in rows)
        closed_on = (closed_on or tx.on_date) if settled else None
        allocations.append(_allocation(tx, moved, extra, forgone))
    return LoanState(tuple(r.freeze() for r in rows), tuple(allocations), credit, closed_on)


def _allocation(tx: Transaction, moved: _Moved, credit: Decimal, forgone: Decimal) -> Allocation:
    parts = tuple((number, _components(values)) for number, values in sorted(moved.items()))
    return Allocation(tx, sum_components(c for _, c in parts), credit, forgone, parts)


def _take(row: _Row, i: int, available: Decimal, moved: _Moved, ledger: str) -> Decimal:
    amount = min(available, row.left(i))
    if amount > 0:
        getattr(row, ledger)[i] += amount
        moved.setdefault(row.number, [ZERO] * 4)[i] += amount
        return available - amount
    return available


def _settle(
    rows: list[_Row], amount: Decimal, order: list[int], per_row: bool, moved: _Moved
) -> Decimal:
    # once the money is spent nothing more can move (_take moves min(amount, left)), so
    # the walk stops there instead of visiting every later row and component
    if per_row:
        for row in rows:
            for i in order:
                amount = _take(row, i, amount, moved, "paid")
            if amount <= 0:
                return amount
    else:
        for i in order:
            for row in rows:
                amount = _take(row, i, amount, moved, "paid")
                if amount <= 0:
                    return amount
    return amount


def _repay(
    schedule: Schedule,
    rows: list[_Row],
    tx: Repayment,
    rules: AllocationRules,
    order: list[int],
    moved: _Moved,
) -> tuple[Decimal, Decimal]:
    due_now = [row for row in rows if row.due_date <= tx.on_date]
    future = [row for row in rows if row.due_date > tx.on_date]
    per_row = rules.strategy == AllocationStrategy.INSTALLMENT_FIRST
    left = _settle(due_now, tx.amount, order, per_row, moved)
    forgone = ZERO
    if left > 0 and future and rules.prepayment == PrepaymentMode.INTEREST_TO_DATE:
        plan = _payoff_plan(schedule, rows, future, tx.on_date)
        owed = sum((row.left_total() for row in future), ZERO) - plan.forgone
        if left >= owed:
            for row, interest_due, fees_due in plan.rows:
                row.due[_INT], row.due[_FEE] = interest_due, fees_due
            forgone = plan.forgone_interest
    left = _settle(future, left, order, True, moved)
    return left, forgone


@dataclass(frozen=True, slots=True)
class _PayoffPlan:
    rows: tuple[tuple[_Row, Decimal, Decimal], ...]
    forgone: Decimal
    forgone_interest: Decimal


def _payoff_plan(schedule: Schedule, rows: list[_Row], future: list[_Row], on: date) -> _PayoffPlan:
    """Future instalments re-priced for a payoff on ``on``: interest only as earned to that
    day (never less than what was already paid or waived on them), fees not yet due dropped."""
    scheduled_past = sum((row.due[_INT] for row in rows if row.due_date <= on), ZERO)
    to_share = max(interest_earned_to(schedule, on) - scheduled_past, ZERO)
    plan = []
    forgone = forgone_interest = ZERO
    for row in future:
        settled_interest = row.paid[_INT] + row.waived[_INT]
        interest_due = max(settled_interest, min(row.due[_INT], to_share))
        to_share -= min(to_share, interest_due)
        fees_due = row.paid[_FEE] + row.waived[_FEE]
        plan.append((row, interest_due, fees_due))
        forgone_interest += row.due[_INT] - interest_due
        forgone += row.due[_INT] - interest_due + row.due[_FEE] - fees_due
    if to_share > 0 and plan:  # earned beyond what the future rows scheduled: first row
        row, interest_due, fees_due = plan[0]
        plan[0] = (row, interest_due + to_share, fees_due)
        forgone -= to_share
        forgone_interest -= to_share
    return _PayoffPlan(tuple(plan), forgone, forgone_interest)


def payoff_quote(
    schedule: Schedule, state: LoanState, on_date: date, rules: AllocationRules | None = None
) -> Decimal:
    """What one repayment on ``on_date`` must be to close the loan under ``rules``."""
    rules = rules or AllocationRules()
    outstanding = state.outstanding().total
    if rules.prepayment != PrepaymentMode.INTEREST_TO_DATE:
        return max(outstanding - state.credit, ZERO)
    rows = [
        _Row(
            s.number, s.from_date, s.due_date, 0, _values(s.due), _values(s.paid), _values(s.waived)
        )
        for s in state.installments
    ]
    future = [row for row in rows if row.due_date > on_date]
    forgone = _payoff_plan(schedule, rows, future, on_date).forgone if future else ZERO
    return max(outstanding - forgone - state.credit, ZERO)


def _waive(rows: list[_Row], by_number: dict[int, _Row], tx: Waiver, moved: _Moved) -> None:
    component = Component(tx.component)
    if component == Component.PRINCIPAL:
        raise AllocationError("principal is not waived: write the loan off instead")
    i = _INDEX[component]
    targets = rows if tx.installment is None else [_row(by_number, tx.installment)]
    if sum((row.left(i) for row in targets), ZERO) < tx.amount:
        raise AllocationError(f"the waiver of {tx.amount} exceeds the {component} outstanding")
    left = tx.amount
    for row in targets:
        left = _take(row, i, left, moved, "waived")


def _apply_charge(by_number: dict[int, _Row], tx: ChargeApplied, moved: _Moved) -> None:
    component = Component(tx.component)
    if component not in (Component.FEES, Component.PENALTIES):
        raise AllocationError("only fees and penalties can be added to an instalment")
    row = _row(by_number, tx.installment)
    i = _INDEX[component]
    row.due[i] += tx.amount
    moved.setdefault(row.number, [ZERO] * 4)[i] += tx.amount


def _row(by_number: dict[int, _Row], number: int) -> _Row:
    try:
        return by_number[number]
    except KeyError:
        raise AllocationError(f"the loan has no instalment {number}") from None
