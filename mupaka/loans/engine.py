"""Glue between the loan tables and the pure engine (``mupaka.loans.domain``).

Reads only: build terms from a product, rebuild a loan's schedule from its stored rows,
turn its transactions into the engine's values and replay them. The services write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from mupaka.core.money import Money, currency_exponent
from mupaka.loans import domain as d
from mupaka.loans.domain.snapshot import penalty_from_dict, rules_from_dict, terms_from_dict
from mupaka.loans.models import (
    DisbursementFee,
    InstallmentFee,
    Loan,
    LoanInstallment,
    LoanProduct,
    LoanTransaction,
    PenaltyCalculation,
    TxKind,
)

ZERO = Decimal(0)
REPLAYED_KINDS = (TxKind.REPAYMENT, TxKind.WAIVER, TxKind.PENALTY, TxKind.CHARGE)


def dec(text: str | Decimal | None, default: str = "0") -> Decimal:
    """A stored Decimal string (a rate, a percentage) as a Decimal."""
    if isinstance(text, Decimal):
        return text
    try:
        return Decimal(str(text if text not in (None, "") else default))
    except InvalidOperation:
        return Decimal(default)


def pct_text(value: Decimal) -> str:
    """A percentage for people: ``Decimal("50.00")`` → ``"50"``, ``"2.5"`` → ``"2.5"``."""
    return format(value.normalize(), "f")


def money(minor: int, currency: str) -> Money:
    return Money.from_minor(int(minor or 0), currency)


def major(minor: int, currency: str) -> Decimal:
    return Money.from_minor(int(minor or 0), currency).amount


def minor(amount: Decimal, currency: str) -> int:
    return Money(amount, currency).minor


# --- terms from a product --------------------------------------------------------------
def product_charges(product: LoanProduct) -> tuple[d.Charge, ...]:
    cur = product.currency
    charges: list[d.Charge] = []
    if product.disbursement_fee == DisbursementFee.FLAT:
        charges.append(
            d.Charge(
                "disbursement",
                "flat",
                major(product.disbursement_fee_flat_minor, cur),
                deducted=product.disbursement_fee_deducted,
                name="disbursement",
            )
        )
    elif product.disbursement_fee == DisbursementFee.PERCENT:
        charges.append(
            d.Charge(
                "disbursement",
                "percent",
                dec(product.disbursement_fee_percent),
                deducted=product.disbursement_fee_deducted,
                name="disbursement",
            )
        )
    if product.installment_fee == InstallmentFee.FLAT:
        charges.append(
            d.Charge("installment", "flat", major(product.installment_fee_flat_minor, cur))
        )
    elif product.installment_fee in (
        InstallmentFee.PERCENT_OF_PRINCIPAL,
        InstallmentFee.PERCENT_OF_TOTAL,
    ):
        charges.append(
            d.Charge("installment", product.installment_fee, dec(product.installment_fee_percent))
        )
    return tuple(charges)


def product_rules(product: LoanProduct) -> d.AllocationRules:
    order = tuple(d.Component(c.strip()) for c in product.allocation_order.split(",") if c.strip())
    return d.AllocationRules(
        strategy=product.allocation_strategy, order=order, prepayment=product.prepayment
    )


def product_penalty(product: LoanProduct) -> d.PenaltyRule | None:
    if product.penalty == PenaltyCalculation.NONE:
        return None
    amount = (
        major(product.penalty_flat_minor, product.currency)
        if product.penalty == PenaltyCalculation.FLAT
        else dec(product.penalty_percent)
    )
    return d.PenaltyRule(
        calculation=product.penalty,
        amount=amount,
        tolerance_days=product.penalty_tolerance_days,
        repeat_every_days=product.penalty_repeat_every_days,
        basis=product.penalty_basis,
    )


def build_terms(
    product: LoanProduct,
    *,
    principal: Decimal,
    annual_rate: Decimal,
    installments: int,
    disbursement_date: dt.date,
    first_due_date: dt.date | None = None,
) -> d.LoanTerms:
    """The engine's terms for a loan of ``product`` (raises ``d.InvalidTerms``)."""
    cur = product.currency
    multiple = (
        major(product.installment_multiple_minor, cur)
        if product.installment_multiple_minor
        else None
    )
    return d.LoanTerms(
        principal=principal,
        annual_rate=annual_rate,
        installments=installments,
        disbursement_date=disbursement_date,
        decimals=currency_exponent(cur),
        every=product.every,
        frequency=product.frequency,
        interest_method=product.interest_method,
        amortization=product.amortization,
        interest_period=product.interest_period,
        days_in_year=product.days_in_year,
        days_in_month=product.days_in_month,
        first_due_date=first_due_date,
        grace_principal=product.grace_principal,
        grace_interest_payment=product.grace_interest_payment,
        grace_interest_free=product.grace_interest_free,
        installment_multiple=multiple,
        rounding=product.rounding,
        charges=product_charges(product),
        compulsory_savings_percent=dec(product.guarantee_savings_percent),
    )


# --- a loan's own terms and schedule --------------------------------------------------
def loan_terms(loan: Loan) -> d.LoanTerms:
    return terms_from_dict(loan.terms["terms"])


def loan_rules(loan: Loan) -> d.AllocationRules:
    return rules_from_dict(loan.terms["rules"])


def loan_penalty(loan: Loan) -> d.PenaltyRule | None:
    return penalty_from_dict(loan.terms.get("penalty"))


def rows_for(loan: Loan) -> list[LoanInstallment]:
    return list(
        LoanInstallment.objects.filter(loan=loan, version=loan.schedule_version).order_by("number")
    )


def schedule_from_rows(loan: Loan, rows: Sequence[LoanInstallment]) -> d.Schedule:
    """The schedule the member signed: the stored rows, with the loan's terms."""
    terms = loan_terms(loan)
    generated = d.generate_schedule(terms)
    if not rows:
        return generated
    cur = loan.currency
    balance = terms.principal
    installments = []
    for row in rows:
        p, i, f = (
            major(row.principal_minor, cur),
            major(row.interest_minor, cur),
            major(row.fees_minor, cur),
        )
        balance -= p
        installments.append(
            d.Installment(
                row.number,
                row.from_date,
                row.due_date,
                (row.due_date - row.from_date).days,
                p,
                i,
                f,
                p + i + f,
                balance,
            )
        )
    return replace(generated, installments=tuple(installments))


def to_domain(tx: LoanTransaction) -> d.Transaction:
    amount = major(tx.amount_minor, tx.currency)
    if tx.kind == TxKind.REPAYMENT:
        return d.Repayment(tx.on_date, amount)
    if tx.kind == TxKind.WAIVER:
        return d.Waiver(tx.on_date, d.Component(tx.component), amount, tx.installment)
    return d.ChargeApplied(tx.on_date, tx.installment, amount, d.Component(tx.component))


def replayed_transactions(loan: Loan) -> list[LoanTransaction]:
    return list(
        LoanTransaction.objects.filter(
            loan=loan,
            schedule_version=loan.schedule_version,
            kind__in=REPLAYED_KINDS,
            reversed=False,
        ).order_by("on_date", "id")
    )


@dataclass(frozen=True)
class LoanView:
    """A loan's schedule, the transactions replayed and what replay made of them."""

    loan: Loan
    schedule: d.Schedule
    state: d.LoanState
    transactions: tuple[LoanTransaction, ...]
    rows: tuple[LoanInstallment, ...]

    def allocation(self, tx: LoanTransaction) -> d.Allocation:
        for candidate, allocation in zip(self.transactions, self.state.allocations, strict=True):
            if candidate.pk == tx.pk:
                return allocation
        raise KeyError(tx.pk)

    def pairs(self) -> Iterable[tuple[LoanTransaction, d.Allocation]]:
        return zip(self.transactions, self.state.allocations, strict=True)


def replay_loan(
    loan: Loan,
    *,
    rows: Sequence[LoanInstallment] | None = None,
    transactions: Sequence[LoanTransaction] | None = None,
    schedule: d.Schedule | None = None,
) -> LoanView:
    """Replay ``loan`` (raises ``d.AllocationError`` when a transaction cannot apply).
    ``schedule``: the one an earlier replay of the same rows built (replaying again with
    more transactions, the schedule is the same; building it costs more than the replay)."""
    rows = list(rows) if rows is not None else rows_for(loan)
    txs = list(transactions) if transactions is not None else replayed_transactions(loan)
    txs.sort(key=lambda t: (t.on_date, t.pk))
    if schedule is None:
        schedule = schedule_from_rows(loan, rows)
    state = d.replay(schedule, [to_domain(t) for t in txs], loan_rules(loan))
    return LoanView(loan, schedule, state, tuple(txs), tuple(rows))


def components_minor(c: d.Components, currency: str) -> dict[str, int]:
    return {
        "principal_minor": minor(c.principal, currency),
        "interest_minor": minor(c.interest, currency),
        "fees_minor": minor(c.fees, currency),
        "penalties_minor": minor(c.penalties, currency),
    }


def installment_rows(loan: Loan, schedule: d.Schedule, version: int) -> list[LoanInstallment]:
    cur = loan.currency
    return [
        LoanInstallment(
            loan=loan,
            version=version,
            number=i.number,
            from_date=i.from_date,
            due_date=i.due_date,
            principal_minor=minor(i.principal, cur),
            interest_minor=minor(i.interest, cur),
            fees_minor=minor(i.fees, cur),
            outstanding_minor=minor(i.total, cur),
        )
        for i in schedule.installments
    ]


@dataclass(frozen=True)
class Caches:
    principal: int
    interest: int
    fees: int
    penalties: int
    overdue: int
    days_past_due: int
    next_due_date: dt.date | None
    next_due: int
    credit: int
    closed_on: dt.date | None


def caches_of(view: LoanView, *, on_date: dt.date, refunded_minor: int = 0) -> Caches:
    cur = view.loan.currency
    out = view.state.outstanding()
    nxt = next((r for r in view.state.installments if r.outstanding.total > 0), None)
    return Caches(
        principal=minor(out.principal, cur),
        interest=minor(out.interest, cur),
        fees=minor(out.fees, cur),
        penalties=minor(out.penalties, cur),
        overdue=minor(view.state.overdue(on_date).total, cur),
        days_past_due=view.state.days_past_due(on_date),
        next_due_date=nxt.due_date if nxt else None,
        next_due=minor(nxt.outstanding.total, cur) if nxt else 0,
        credit=minor(view.state.credit, cur) - refunded_minor,
        closed_on=view.state.closed_on,
    )
