"""Properties of the engine over every option combination hypothesis can draw."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mupaka.loans.domain import (
    AllocationRules,
    Amortization,
    Charge,
    DaysInMonth,
    DaysInYear,
    Frequency,
    InterestMethod,
    InterestPeriod,
    InvalidTerms,
    LoanTerms,
    Repayment,
    Rounding,
    generate_schedule,
    price_disclosure,
    replay,
)
from mupaka.loans.domain.rounding import is_multiple_of

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@st.composite
def loan_terms(draw: st.DrawFn) -> LoanTerms:
    decimals = draw(st.sampled_from([0, 2]))
    quantum = Decimal(1).scaleb(-decimals)
    cash = draw(
        st.sampled_from(
            [None, Decimal(5), Decimal(50), Decimal(100)]
            if decimals == 0
            else [None, Decimal("0.05"), Decimal(1), Decimal(50)]
        )
    )
    unit = cash or quantum
    principal = unit * draw(st.integers(min_value=1, max_value=2_000_000))
    assume(principal <= Decimal(50_000_000))
    installments = draw(st.integers(min_value=1, max_value=48))
    multiple = draw(st.sampled_from([None, 1, 5, 10, 100]))
    disbursed = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
    first_due = draw(
        st.one_of(st.none(), st.integers(1, 70).map(lambda d: disbursed + timedelta(d)))
    )
    charges = draw(st.lists(charge(), max_size=3))
    return LoanTerms(
        principal=principal,
        annual_rate=Decimal(draw(st.integers(0, 20_000))) / 100,
        installments=installments,
        disbursement_date=disbursed,
        decimals=decimals,
        every=draw(st.integers(1, 4)),
        frequency=draw(st.sampled_from(Frequency)),
        interest_method=draw(st.sampled_from(InterestMethod)),
        amortization=draw(st.sampled_from(Amortization)),
        interest_period=draw(st.sampled_from(InterestPeriod)),
        days_in_year=draw(st.sampled_from(DaysInYear)),
        days_in_month=draw(st.sampled_from(DaysInMonth)),
        first_due_date=first_due,
        grace_principal=draw(st.integers(0, installments - 1)),
        grace_interest_payment=draw(st.integers(0, installments - 1)),
        grace_interest_free=draw(st.integers(0, installments)),
        installment_multiple=None if multiple is None else unit * multiple,
        currency_multiple=cash,
        rounding=draw(st.sampled_from(Rounding)),
        charges=tuple(charges),
        compulsory_savings_percent=Decimal(draw(st.integers(0, 30))),
    )


@st.composite
def charge(draw: st.DrawFn) -> Charge:
    kind = draw(
        st.sampled_from(
            [
                "disbursement:flat",
                "disbursement:percent",
                "installment:flat",
                "installment:percent-of-principal",
                "installment:percent-of-total",
            ]
        )
    )
    time, calculation = kind.split(":")
    amount = Decimal(draw(st.integers(0, 500))) / 100  # up to 5 (money or percent)
    return Charge(time, calculation, amount, deducted=draw(st.booleans()))


def _schedule(terms: LoanTerms):  # noqa: ANN202
    try:
        return generate_schedule(terms)
    except InvalidTerms:  # fees and savings eating the whole principal: refused, fine
        assume(False)
        raise


@SETTINGS
@given(loan_terms())
def test_schedule_invariants(terms: LoanTerms) -> None:
    s = _schedule(terms)
    rows = s.installments
    assert len(rows) == terms.installments
    assert sum(r.principal for r in rows) == terms.principal
    assert rows[-1].balance == 0
    balance = terms.principal
    previous = terms.disbursement_date
    for r in rows:
        for amount in (r.principal, r.interest, r.fees, r.total, r.balance):
            assert amount >= 0
            assert terms.money.is_rounded(amount), amount
            if terms.currency_multiple is not None:
                assert is_multiple_of(amount, terms.currency_multiple)
        assert r.total == r.principal + r.interest + r.fees
        balance -= r.principal
        assert r.balance == balance
        assert r.due_date > previous
        assert r.days == (r.due_date - previous).days
        previous = r.due_date
    assert generate_schedule(terms) == s  # pure


@SETTINGS
@given(loan_terms())
def test_fees_never_lower_the_apr(terms: LoanTerms) -> None:
    s = _schedule(terms)
    bare = _schedule(replace(terms, charges=(), compulsory_savings_percent=Decimal(0)))
    assert price_disclosure(s).apr >= price_disclosure(bare).apr


@SETTINGS
@given(loan_terms())
def test_apr_at_least_the_nominal_rate_when_fees_exist(terms: LoanTerms) -> None:
    """Where interest is charged at the full nominal rate each period (per repayment period,
    no interest-free period, none deferred without interest), an upfront fee larger than the
    rounding of all instalments puts the APR at or above the nominal rate."""
    assume(terms.interest_period == InterestPeriod.REPAYMENT)
    assume(terms.grace_interest_free == 0 and terms.grace_interest_payment == 0)
    unit = terms.currency_multiple or terms.money.quantum
    fee = Charge("disbursement", "flat", 2 * terms.installments * unit + unit)
    with_fee = replace(terms, charges=(*terms.charges, fee))
    assume(fee.amount * 4 < terms.principal)
    assert price_disclosure(_schedule(with_fee)).apr >= terms.annual_rate


@SETTINGS
@given(
    loan_terms(),
    st.lists(st.tuples(st.integers(0, 400), st.integers(1, 10**6)), max_size=8),
    st.sampled_from(["component-first", "installment-first"]),
    st.sampled_from(["scheduled", "interest-to-date"]),
)
def test_replay_conserves_money(terms: LoanTerms, payments: list, strategy: str, mode: str) -> None:
    s = _schedule(terms)
    quantum = terms.money.quantum
    txs = [
        Repayment(terms.disbursement_date + timedelta(days), quantum * cents)
        for days, cents in payments
    ]
    state = replay(s, txs, AllocationRules(strategy=strategy, prepayment=mode))
    paid = sum((a.amounts.total for a in state.allocations), Decimal(0))
    assert paid + state.credit == sum((t.amount for t in txs), Decimal(0))
    for row in state.installments:
        out = row.outstanding
        assert min(out.principal, out.interest, out.fees, out.penalties) >= 0
    if state.credit:
        assert state.outstanding().total == 0


@SETTINGS
@given(loan_terms())
def test_paying_each_instalment_on_its_date_closes_the_loan(terms: LoanTerms) -> None:
    s = _schedule(terms)
    txs = [Repayment(r.due_date, r.total) for r in s.installments if r.total > 0]
    state = replay(s, txs)
    assert state.outstanding().total == 0
    assert state.credit == 0
    assert state.closed_on == max(r.due_date for r in s.installments if r.total > 0)
    assert state.days_past_due(s.maturity_date + timedelta(days=30)) == 0
