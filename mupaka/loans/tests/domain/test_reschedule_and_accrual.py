from __future__ import annotations

from datetime import date

import pytest

from mupaka.loans.domain import (
    Charge,
    InvalidTerms,
    generate_schedule,
    interest_earned_to,
    period_interest,
    reschedule_terms,
)

from .support import D, column, schedule, terms


def test_reschedule_from_outstanding_with_capitalised_interest() -> None:
    old = terms(
        charges=(Charge("disbursement", "percent", D(2)), Charge("installment", "flat", D(5)))
    )
    new = reschedule_terms(
        old,
        on_date=date(2011, 12, 1),
        outstanding_principal=D("6118.79"),
        outstanding_interest=D("181.77"),
        capitalise_interest=True,
        installments=6,
        grace_interest_payment=2,
    )
    assert new.principal == D("6300.56")
    assert new.disbursement_date == date(2011, 12, 1)
    assert (new.installments, new.grace_interest_payment, new.carried_interest) == (6, 2, D(0))
    assert [c.time for c in new.charges] == ["installment"]  # nothing disbursed, no fee
    s = generate_schedule(new)
    assert column(s, "interest")[:2] == [D("0.00"), D("0.00")]
    assert sum(column(s, "principal")) == D("6300.56")


def test_reschedule_carries_uncapitalised_interest_without_interest_on_it() -> None:
    new = reschedule_terms(
        terms(),
        on_date=date(2011, 12, 1),
        outstanding_principal=D(6000),
        outstanding_interest=D("181.77"),
        grace_interest_payment=1,
    )
    s = generate_schedule(new)
    # Period 1: 6,000 x 2 % = 120.00, deferred. PMT(2 %, 4, 6000) = 1575.74 repays 1455.74,
    # so period 2 earns 4544.26 x 2 % = 90.89 and pays 120.00 + 90.89 + the carried 181.77.
    assert column(s, "interest")[:2] == [D("0.00"), D("120.00") + D("90.89") + D("181.77")]
    assert s.total_interest - D("181.77") == sum(period_interest(s))


def test_reschedule_needs_principal() -> None:
    with pytest.raises(InvalidTerms):
        reschedule_terms(terms(), on_date=date(2011, 12, 1), outstanding_principal=D(0))


def test_period_interest_and_interest_earned_to_date() -> None:
    s = schedule(grace_interest_payment=2)
    assert period_interest(s) == (D("240.00"), D("181.77"), D("122.38"), D("61.79"))
    assert interest_earned_to(s, date(2011, 9, 20)) == D(0)
    assert interest_earned_to(s, date(2011, 10, 20)) == D("240.00")
    assert interest_earned_to(s, date(2011, 11, 5)) == D("333.82")  # + 181.77 x 16/31
    assert interest_earned_to(s, date(2013, 1, 1)) == D("605.94")


def test_flat_interest_is_earned_evenly() -> None:
    s = schedule(
        principal=D(100), annual_rate=D(36), interest_method="flat", grace_interest_payment=1
    )
    assert period_interest(s) == (D("3.00"),) * 4
