from __future__ import annotations

from datetime import date

import pytest

from mupaka.loans.domain import (
    InvalidTerms,
    MoneyRounding,
    OverdueInstallment,
    PenaltyCharge,
    PenaltyRule,
    penalties_due,
    penalty_dates,
)

from .support import D

USD = MoneyRounding(2)
DUE = date(2024, 3, 10)


def overdue(
    principal: str = "100.00",
    interest: str = "10.00",
    fees: str = "1.00",
    number: int = 1,
    due: date = DUE,
) -> OverdueInstallment:
    return OverdueInstallment(number, due, D(principal), D(interest), D(fees))


def test_once_after_tolerance() -> None:
    rule = PenaltyRule("flat", D(5), tolerance_days=3)
    assert penalty_dates(DUE, date(2024, 3, 13), rule) == []  # 3 days late: tolerated
    assert penalty_dates(DUE, date(2024, 3, 14), rule) == [date(2024, 3, 14)]
    assert penalty_dates(DUE, date(2024, 6, 1), rule) == [date(2024, 3, 14)]


def test_repeating_every_period_overdue() -> None:
    rule = PenaltyRule("flat", D(5), tolerance_days=0, repeat_every_days=7)
    assert penalty_dates(DUE, date(2024, 3, 25), rule) == [
        date(2024, 3, 11),
        date(2024, 3, 18),
        date(2024, 3, 25),
    ]


def test_flat_and_percentage_amounts() -> None:
    flat = PenaltyRule("flat", D("2.5"))
    assert penalties_due([overdue()], flat, as_of=date(2024, 3, 11), money=USD) == (
        PenaltyCharge(1, date(2024, 3, 11), D("2.50")),
    )
    percent = PenaltyRule("percent-of-overdue", D(2))  # of principal + interest by default
    assert penalties_due([overdue()], percent, as_of=date(2024, 3, 11), money=USD)[0].amount == D(
        "2.20"
    )
    on_total = PenaltyRule("percent-of-overdue", D(2), basis="total")
    assert penalties_due([overdue()], on_total, as_of=date(2024, 3, 11), money=USD)[0].amount == D(
        "2.22"
    )
    on_principal = PenaltyRule("percent-of-overdue", D("1.5"), basis="principal")
    assert penalties_due([overdue()], on_principal, as_of=date(2024, 3, 11), money=USD)[
        0
    ].amount == D("1.50")


def test_already_applied_penalties_are_not_repeated() -> None:
    rule = PenaltyRule("flat", D(1), repeat_every_days=1)
    rows = [overdue(number=1), overdue(number=2, due=date(2024, 3, 12))]
    charges = penalties_due(rows, rule, as_of=date(2024, 3, 14), money=USD, already_applied={1: 3})
    assert [(c.installment, c.on_date) for c in charges] == [
        (1, date(2024, 3, 14)),
        (2, date(2024, 3, 13)),
        (2, date(2024, 3, 14)),
    ]


def test_nothing_overdue_nothing_charged() -> None:
    rule = PenaltyRule("percent-of-overdue", D(2), basis="principal")
    assert penalties_due([overdue(principal="0.00")], rule, as_of=date(2024, 5, 1), money=USD) == ()


def test_penalty_respects_cash_multiple() -> None:
    cdf = MoneyRounding(2, cash_multiple=D(50))
    rule = PenaltyRule("percent-of-overdue", D(1))
    rows = [overdue(principal="12000", interest="0", fees="0")]
    assert penalties_due(rows, rule, as_of=date(2024, 3, 11), money=cdf)[0].amount == D("100.00")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"calculation": "flat", "amount": D(-1)},
        {"calculation": "flat", "amount": D(1), "tolerance_days": -1},
        {"calculation": "flat", "amount": D(1), "repeat_every_days": 0},
        {"calculation": "percent", "amount": D(1)},
    ],
)
def test_bad_penalty_rules(kwargs: dict) -> None:
    with pytest.raises(InvalidTerms):
        PenaltyRule(**kwargs)
