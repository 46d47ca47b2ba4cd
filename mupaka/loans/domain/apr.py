"""Price disclosure: APR and EIR from the internal rate of return of the member's cash flows.

The cash flows are the ones she actually lives: at disbursement she receives the principal
less the fees deducted, less the fees she pays in cash there, less the compulsory savings
held back; then she pays each instalment (principal, interest and fees); at the end her
compulsory savings come back to her. The periodic IRR ``r`` (one period = one repayment
period, as in the MFTransparency method) gives

    APR = r x periods a year            EIR = (1 + r) ^ periods a year - 1

both shown as percentages with 2 decimals. USD 100, 4 monthly instalments, 3 % a month
flat, no fees: she pays 28.00 four times, r = 4.69 % a month, APR 56.31 %, EIR 73.37 %.

Everything is Decimal, the solver included: Newton's method inside a bracket that always
holds a sign change, falling back to bisection when a Newton step leaves it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from .rounding import CALC_CONTEXT, HUNDRED, ONE, ZERO
from .schedule import Schedule
from .terms import Frequency

_TOLERANCE = Decimal("1e-24")
_PERCENT = Decimal("0.01")
_MAX_RATE = Decimal(10) ** 6


class NoRateOfReturn(ValueError):
    """The cash flows have no rate of return (e.g. she never receives anything)."""


@dataclass(frozen=True, slots=True)
class PriceDisclosure:
    """APR and EIR in percent (2 decimals) and the periodic rate they come from."""

    periodic_rate: Decimal
    periods_per_year: Decimal
    apr: Decimal
    eir: Decimal


def member_cash_flows(schedule: Schedule) -> list[Decimal]:
    """Her cash flows, one per repayment period from disbursement, as the lender sees them:
    negative out (what she receives), positive in (what she pays)."""
    received = schedule.terms.principal - schedule.upfront_fees - schedule.compulsory_savings
    flows = [-received]
    flows.extend(row.total for row in schedule.installments)
    flows[-1] -= schedule.compulsory_savings
    return flows


def disclosure_periods_per_year(frequency: Frequency, every: int) -> Decimal:
    """Repayment periods in a calendar year: 12, 52 or 365 divided by ``every``."""
    per_year = {Frequency.MONTHS: 12, Frequency.WEEKS: 52, Frequency.DAYS: 365}[frequency]
    with localcontext(CALC_CONTEXT):
        return Decimal(per_year) / every


def price_disclosure(schedule: Schedule) -> PriceDisclosure:
    """APR and EIR of ``schedule`` for the member, as percentages with 2 decimals."""
    terms = schedule.terms
    ppy = disclosure_periods_per_year(terms.frequency, terms.every)
    rate = internal_rate_of_return(member_cash_flows(schedule))
    with localcontext(CALC_CONTEXT):
        apr = _percent(rate * ppy * HUNDRED)
        eir = _percent(((ONE + rate) ** ppy - ONE) * HUNDRED)
    return PriceDisclosure(rate, ppy, apr, eir)


def _percent(value: Decimal) -> Decimal:
    """Two decimals, half up; absurd rates (a fee larger than a one-day loan) keep their
    integer digits instead of overflowing the context."""
    digits = max(CALC_CONTEXT.prec, value.adjusted() + 4)
    return value.quantize(_PERCENT, ROUND_HALF_UP, Context(prec=digits))


def net_present_value(flows: Sequence[Decimal], rate: Decimal) -> Decimal:
    """Sum of flow[k] / (1 + rate)^k."""
    with localcontext(CALC_CONTEXT):
        discount = ONE / (ONE + rate)
        factor = ONE
        total = ZERO
        for flow in flows:
            total += flow * factor
            factor *= discount
        return total


def _npv_and_slope(flows: Sequence[Decimal], rate: Decimal) -> tuple[Decimal, Decimal]:
    discount = ONE / (ONE + rate)
    factor = ONE
    value = slope = ZERO
    for k, flow in enumerate(flows):
        value += flow * factor
        slope -= k * flow * factor * discount
        factor *= discount
    return value, slope


def internal_rate_of_return(flows: Sequence[Decimal]) -> Decimal:
    """The periodic rate ``r`` > -1 at which the flows' net present value is zero.

    Needs a sign change between the first flow and the sum of the others (she receives
    money, then pays). Precise to about 1e-24, far beyond the 2 decimals disclosed.
    """
    if not flows or flows[0] >= 0 or all(f <= 0 for f in flows[1:]):
        raise NoRateOfReturn("the member must receive money first and pay it back later")
    with localcontext(CALC_CONTEXT):
        if net_present_value(flows, ZERO) == 0:  # she pays back exactly what she got
            return ZERO
        low, high = _bracket(flows)
        rate = ZERO if low < 0 < high else (low + high) / 2
        for _ in range(200):
            value, slope = _npv_and_slope(flows, rate)
            if value == 0:
                return rate
            if value > 0:
                low = rate
            else:
                high = rate
            step = value / slope if slope else ZERO
            candidate = rate - step
            if not slope or not low < candidate < high:
                candidate = (low + high) / 2
            if abs(candidate - rate) < _TOLERANCE or high - low < _TOLERANCE:
                return candidate
            rate = candidate
        return rate


def _bracket(flows: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """Rates ``low`` < ``high`` with NPV(low) > 0 > NPV(high)."""
    high = ONE
    while net_present_value(flows, high) > 0:
        high *= 2
        if high > _MAX_RATE:
            raise NoRateOfReturn("the rate of return is beyond any sensible bound")
    low = ZERO
    step = Decimal("0.5")
    while net_present_value(flows, low) <= 0:
        low = -ONE + step  # approach -100 % geometrically
        step /= 2
        if step < _TOLERANCE:
            raise NoRateOfReturn("the member never gets back what she pays")
    return low, high
