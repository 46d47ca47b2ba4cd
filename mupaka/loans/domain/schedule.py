"""The repayment schedule generator (Fineract's cumulative engine, in Decimal).

Conventions, each checked against Apache Fineract's sources (``LoanApplicationTerms``,
``CumulativeDecliningBalanceInterestLoanScheduleGenerator``,
``CumulativeFlatInterestLoanScheduleGenerator``, ``DefaultPaymentPeriodsInOneYearCalculator``
and ``Money.roundToMultiplesOf`` in apache/fineract, both the mifosng-provider and the
fineract-loan trees):

* Periods in a year: 12 for months, 52 for weeks, and for days the days-in-year setting
  (360/364/365; Fineract's calculator answers 365 for days and for an ``actual`` year).
  Rate per period = annual rate / 100 / periods in a year x ``every``.
* Daily interest: balance x annual rate / 100 x days / days in year, days being 30 per month
  with 30-day months (``periodicInterestRate``, DAILY branch). The instalment (PMT) of a daily
  loan uses the regular period's rate with 30-day months: 30 x every days for months,
  7 x every for weeks, ``every`` for days, over the days-in-year basis.
* Declining balance, equal instalments: instalment = PMT(rate, n - principal grace periods,
  principal), computed once (``paymentPerPeriod`` sets ``fixedEmiAmount`` on its first call),
  rounded to the instalment multiple (``roundToMultiplesOf``: divide, round to an integer with
  the rounding mode, multiply), then to the currency. Each period's interest is
  round(balance x rate); principal = instalment - the period's own interest (without interest
  brought forward from a payment grace; zero in an interest-free period, so the whole
  instalment repays principal); the last instalment takes the remaining balance
  (``adjustPrincipalIfLastRepaymentPeriod``). Fineract computes PMT in binary floating point;
  we compute it in Decimal, which agrees on every example checked.
* Equal principal: principal = round(P / (n - principal grace)), no instalment multiple.
* Flat: total interest = round(P x annual rate / 100 / periods in a year x periods in the
  term) (``calculateFlatInterestRateForLoanTerm``), or x days / days in year for daily interest;
  per instalment round(total / n); interest-free periods remove that much from the total.
  With equal instalments the interest is averaged over the periods where interest is paid
  (``calculateTotalFlatInterestForInstallmentAveragingOutGracePeriods``); with equal principal
  the interest of payment-grace periods is brought forward to the first period after them
  (``calculateTotalFlatInterestForPeriod``). Flat principal per instalment is
  round_m(P / (n - g)) + round_m(I) - I where round_m rounds to the instalment multiple
  (``calculateTotalPrincipalPerPeriodWithoutGrace``); the last instalment takes what remains
  of both principal and interest (``adjustInterestIfLastRepaymentPeriod``).
* The currency's cash multiple applies to every amount (Fineract applies it in the ``Money``
  constructor, only for currencies without decimals).

Where we differ on purpose: due dates are computed from the anchor, not chained (see
``dates``); ``actual`` days in a year with actual days count leap years as 366 days
(Fineract's cumulative engine uses 365); amounts are clamped so none is ever negative.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from typing import NamedTuple

from .dates import due_dates, year_fraction
from .rounding import CALC_CONTEXT, HUNDRED, ONE, ZERO
from .terms import (
    Amortization,
    ChargeCalculation,
    DaysInYear,
    Frequency,
    InterestMethod,
    InterestPeriod,
    InvalidTerms,
    LoanTerms,
)


class Installment(NamedTuple):
    """One row of the schedule; ``balance`` is the principal left after it.

    An immutable named tuple rather than a frozen dataclass: a schedule makes one per
    instalment, and a tuple is built several times faster (see bench/schedule.py).
    """

    number: int
    from_date: date
    due_date: date
    days: int
    principal: Decimal
    interest: Decimal
    fees: Decimal
    total: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class Schedule:
    """A generated schedule and what happens at disbursement.

    ``upfront_fees`` are all disbursement fees, of which ``deducted_fees`` are taken from the
    proceeds (the rest she pays in cash at disbursement). ``compulsory_savings`` is held back
    from the proceeds and returned at the end. ``net_disbursed`` is the cash handed to her.
    """

    terms: LoanTerms
    installments: tuple[Installment, ...]
    upfront_fees: Decimal
    deducted_fees: Decimal
    compulsory_savings: Decimal

    @property
    def net_disbursed(self) -> Decimal:
        return self.terms.principal - self.deducted_fees - self.compulsory_savings

    @property
    def total_principal(self) -> Decimal:
        return sum((i.principal for i in self.installments), ZERO)

    @property
    def total_interest(self) -> Decimal:
        return sum((i.interest for i in self.installments), ZERO)

    @property
    def total_fees(self) -> Decimal:
        return sum((i.fees for i in self.installments), ZERO)

    @property
    def total_due(self) -> Decimal:
        return sum((i.total for i in self.installments), ZERO)

    @property
    def maturity_date(self) -> date:
        return self.installments[-1].due_date


def periods_per_year(frequency: Frequency, days_in_year: DaysInYear) -> int:
    """Fineract's periods in one year: 12 months, 52 weeks, or the days-in-year basis."""
    if frequency == Frequency.MONTHS:
        return 12
    if frequency == Frequency.WEEKS:
        return 52
    return 365 if days_in_year == DaysInYear.ACTUAL else int(days_in_year)


def rate_per_period(terms: LoanTerms) -> Decimal:
    """Annual rate / 100 / periods in a year x every (repayment-period interest)."""
    ppy = periods_per_year(terms.frequency, terms.days_in_year)
    with localcontext(CALC_CONTEXT):
        return terms.annual_rate * terms.every / (HUNDRED * ppy)


def pmt_rate(terms: LoanTerms) -> Decimal:
    """The periodic rate the equal instalment is computed with."""
    if terms.interest_period == InterestPeriod.REPAYMENT:
        return rate_per_period(terms)
    basis = 365 if terms.days_in_year == DaysInYear.ACTUAL else int(terms.days_in_year)
    unit = {Frequency.MONTHS: 30, Frequency.WEEKS: 7, Frequency.DAYS: 1}[terms.frequency]
    with localcontext(CALC_CONTEXT):
        return terms.annual_rate * (unit * terms.every) / (HUNDRED * basis)


def pmt(rate: Decimal, periods: int, present_value: Decimal) -> Decimal:
    """The level payment that repays ``present_value`` in ``periods`` at ``rate`` a period."""
    with localcontext(CALC_CONTEXT):
        if rate == 0:
            return present_value / periods
        return present_value * rate / (ONE - (ONE + rate) ** -periods)


def generate_schedule(terms: LoanTerms) -> Schedule:
    """The repayment schedule of ``terms``. Pure: same terms, same schedule."""
    with localcontext(CALC_CONTEXT):
        dates = due_dates(
            disbursement_date=terms.disbursement_date,
            installments=terms.installments,
            frequency=terms.frequency,
            every=terms.every,
            first_due_date=terms.first_due_date,
        )
        if terms.interest_method == InterestMethod.FLAT:
            rows = _flat_rows(terms, dates)
        else:
            rows = _declining_rows(terms, dates)
        return _with_fees(terms, dates, rows)


def period_interest_function(terms: LoanTerms) -> Callable[[Decimal, date, date], Decimal]:
    """``f(balance, start, end)``: the rounded interest on ``balance`` from ``start`` to ``end``
    (per repayment period, or daily), before any grace."""
    money = terms.money
    round_money = money.round
    if terms.interest_period == InterestPeriod.REPAYMENT:
        rate = rate_per_period(terms)
        if money.cash_multiple is None:  # the common case, on the hot path: one quantize
            quantum, mode = money.quantum, money.mode.decimal_mode
            return lambda balance, start, end: (balance * rate).quantize(
                quantum, mode, CALC_CONTEXT
            )
        return lambda balance, start, end: round_money(balance * rate)
    annual = terms.annual_rate / HUNDRED
    diy, dim = terms.days_in_year, terms.days_in_month
    return lambda balance, start, end: round_money(
        balance * annual * year_fraction(start, end, diy, dim)
    )


def _declining_rows(terms: LoanTerms, dates: tuple[date, ...]) -> list[tuple[Decimal, Decimal]]:
    zero = terms.money.round(ZERO)  # 0 with the currency's exponent
    money = terms.money
    round_money = money.round
    n = terms.installments
    grace_p, grace_i, grace_free = (
        terms.grace_principal,
        terms.grace_interest_payment,
        terms.grace_interest_free,
    )
    interest_for = period_interest_function(terms)
    equal_principal = terms.amortization == Amortization.EQUAL_PRINCIPAL
    balance = terms.principal + zero
    fixed = round_money(balance / (n - grace_p)) if equal_principal else None
    emi: Decimal | None = None
    deferred = terms.carried_interest
    start = terms.disbursement_date
    rows: list[tuple[Decimal, Decimal]] = []
    for k in range(1, n + 1):
        end = dates[k - 1]
        own = zero if k <= grace_free else interest_for(balance, start, end)
        if k <= grace_i:
            deferred += own
            interest = zero
        elif deferred:
            interest = own + deferred
            deferred = zero
        else:
            interest = own
        if k <= grace_p:
            principal = zero
        elif k == n:
            principal = balance
        else:
            if fixed is not None:
                principal = fixed
            else:
                if emi is None:
                    emi = _equal_installment(terms, balance, n - grace_p)
                principal = emi - own
            if principal < 0:
                principal = zero
            elif principal > balance:
                principal = balance
        balance -= principal
        rows.append((principal, interest))
        start = end
    return rows


def _equal_installment(terms: LoanTerms, balance: Decimal, periods: int) -> Decimal:
    amount = pmt(pmt_rate(terms), periods, balance)
    if terms.installment_multiple is not None:
        amount = terms.money.round_to_multiple(amount, terms.installment_multiple)
    return terms.money.round(amount)


def flat_total_interest(terms: LoanTerms, maturity: date) -> Decimal:
    """Flat interest over the whole term, before interest-free periods are taken off."""
    if terms.interest_period == InterestPeriod.DAILY:
        factor = year_fraction(
            terms.disbursement_date, maturity, terms.days_in_year, terms.days_in_month
        )
    else:
        ppy = periods_per_year(terms.frequency, terms.days_in_year)
        factor = Decimal(terms.installments * terms.every) / ppy
    return terms.money.round(terms.principal * terms.annual_rate / HUNDRED * factor)


def _flat_interests(terms: LoanTerms, maturity: date) -> list[Decimal]:
    zero = terms.money.round(ZERO)
    round_money = terms.money.round
    n = terms.installments
    grace_i, grace_free = terms.grace_interest_payment, terms.grace_interest_free
    total = flat_total_interest(terms, maturity)
    per_period = round_money(total / n)
    charged = zero if grace_free >= n else max(total - per_period * grace_free, zero)
    skip = max(grace_free, grace_i)
    planned: list[Decimal] = []
    if terms.amortization == Amortization.EQUAL_INSTALLMENTS:
        averaged = round_money(charged / (n - skip)) if n > skip else zero
        planned = [zero if k <= skip else averaged for k in range(1, n + 1)]
    else:
        deferred = zero
        for k in range(1, n + 1):
            if k <= grace_free:
                planned.append(zero)
            elif k <= grace_i:
                deferred += per_period
                planned.append(zero)
            else:
                planned.append(per_period + deferred)
                deferred = zero
    interests: list[Decimal] = []
    cumulative = zero
    for k, amount in enumerate(planned, start=1):
        if k == n:
            amount = charged - cumulative
        elif amount > charged - cumulative:
            amount = charged - cumulative
        cumulative += amount
        interests.append(amount)
    return interests


def _flat_rows(terms: LoanTerms, dates: tuple[date, ...]) -> list[tuple[Decimal, Decimal]]:
    zero = terms.money.round(ZERO)
    money = terms.money
    n, grace_p = terms.installments, terms.grace_principal
    interests = _flat_interests(terms, dates[-1])
    base = money.round(terms.principal / (n - grace_p))
    multiple = terms.installment_multiple
    if multiple is not None:
        base = money.round_to_multiple(base, multiple)
    balance = terms.principal + zero
    rows: list[tuple[Decimal, Decimal]] = []
    carried = terms.carried_interest
    for k, interest in enumerate(interests, start=1):
        if k <= grace_p:
            principal = zero
        elif k == n:
            principal = balance
        else:
            principal = base
            if multiple is not None:
                principal = money.round(
                    base + money.round_to_multiple(interest, multiple) - interest
                )
            if principal < 0:
                principal = zero
            elif principal > balance:
                principal = balance
        balance -= principal
        if carried and k > terms.grace_interest_payment:
            interest += carried
            carried = zero
        rows.append((principal, interest))
    return rows


def _with_fees(
    terms: LoanTerms, dates: tuple[date, ...], rows: list[tuple[Decimal, Decimal]]
) -> Schedule:
    round_money = terms.money.round
    zero = round_money(ZERO)  # 0.00 with the currency's exponent, so amounts print alike
    installment_charges = terms.installment_charges
    balance = terms.principal + zero
    start = terms.disbursement_date
    installments = []
    for number, ((principal, interest), due) in enumerate(zip(rows, dates, strict=True), 1):
        fees = zero
        for charge in installment_charges:
            if charge.calculation == ChargeCalculation.FLAT:
                fees += round_money(charge.amount)
            elif charge.calculation == ChargeCalculation.PERCENT_OF_PRINCIPAL:
                fees += round_money(principal * charge.amount / HUNDRED)
            else:
                fees += round_money((principal + interest) * charge.amount / HUNDRED)
        balance -= principal
        installments.append(
            Installment(
                number,
                start,
                due,
                (due - start).days,
                principal,
                interest,
                fees,
                principal + interest + fees,
                balance,
            )
        )
        start = due
    upfront = deducted = zero
    for charge in terms.disbursement_charges:
        if charge.calculation == ChargeCalculation.FLAT:
            amount = round_money(charge.amount)
        else:
            amount = round_money(terms.principal * charge.amount / HUNDRED)
        upfront += amount
        if charge.deducted:
            deducted += amount
    savings = round_money(terms.principal * terms.compulsory_savings_percent / HUNDRED)
    if upfront + savings >= terms.principal:
        raise InvalidTerms(
            f"disbursement fees ({upfront}) and compulsory savings ({savings}) would take the "
            f"whole principal ({terms.principal})"
        )
    return Schedule(terms, tuple(installments), upfront, deducted, savings)
