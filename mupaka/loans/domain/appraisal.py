"""Cash-flow appraisal of a trader and the over-indebtedness check.

A small-scale cross-border trader has no payslip: the loan officer asks what she sells in a
day, what the goods cost her, how many days a week she trades, how often she crosses and
what a crossing costs, what the household needs each month and what she already repays
elsewhere. The arithmetic, in one currency, per month (a month is 52/12 weeks):

    sales            = daily sales x trading days a week x 52/12
    purchases        = daily purchases x trading days a week x 52/12
    transport        = trips a week x cost of a trip x 52/12
    business income  = sales - purchases - transport - other business costs
    disposable       = business income + other income - household costs - other debts
    capacity         = disposable x the product's maximum share (e.g. 40 %), never negative

The loan's instalment is brought to a month the same way (weekly x 52/12, every 2 weeks
x 26/12, monthly / every) and compared with the capacity: above it, the application is
refused unless the officer overrides with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from .rounding import CALC_CONTEXT, HUNDRED, ZERO, MoneyRounding
from .terms import Frequency, InvalidTerms

WEEKS_PER_MONTH = CALC_CONTEXT.divide(Decimal(52), Decimal(12))


@dataclass(frozen=True, slots=True)
class CashFlow:
    """What the trader told the officer; amounts in major units of one currency."""

    daily_sales: Decimal
    daily_purchases: Decimal
    trading_days_per_week: int = 6
    trips_per_week: int = 0
    cost_per_trip: Decimal = ZERO
    other_business_costs: Decimal = ZERO  # per month: stall, taxes at the border, storage
    other_income: Decimal = ZERO  # per month
    household_costs: Decimal = ZERO  # per month
    other_debts: Decimal = ZERO  # repayments per month to other lenders, tontines

    def __post_init__(self) -> None:
        for name in (
            "daily_sales",
            "daily_purchases",
            "cost_per_trip",
            "other_business_costs",
            "other_income",
            "household_costs",
            "other_debts",
        ):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
                raise InvalidTerms(f"{name.replace('_', ' ')} must be zero or more, not {value}")
        if not isinstance(self.trading_days_per_week, int) or not (
            0 <= self.trading_days_per_week <= 7
        ):
            raise InvalidTerms("trading days a week must be between 0 and 7")
        if not isinstance(self.trips_per_week, int) or not 0 <= self.trips_per_week <= 70:
            raise InvalidTerms("trips a week must be between 0 and 70")


@dataclass(frozen=True, slots=True)
class Appraisal:
    """Monthly figures (rounded to the currency) and the verdict."""

    sales: Decimal
    purchases: Decimal
    transport: Decimal
    business_income: Decimal
    disposable_income: Decimal
    capacity: Decimal
    installment_monthly: Decimal
    share_percent: Decimal  # the product's maximum share of the disposable income
    ratio_percent: Decimal | None  # monthly instalment / disposable income, None if <= 0

    @property
    def within_capacity(self) -> bool:
        return self.disposable_income > 0 and self.installment_monthly <= self.capacity


def periods_per_month(frequency: Frequency | str, every: int) -> Decimal:
    """How many repayment periods fall in an average month."""
    frequency = Frequency(frequency)
    if every < 1:
        raise InvalidTerms("'every' must be a positive number of periods")
    with localcontext(CALC_CONTEXT):
        per_year = {Frequency.MONTHS: 12, Frequency.WEEKS: 52, Frequency.DAYS: 365}[frequency]
        return Decimal(per_year) / Decimal(12 * every)


def appraise(
    flow: CashFlow,
    *,
    installment: Decimal,
    frequency: Frequency | str,
    every: int,
    max_share_percent: Decimal,
    money: MoneyRounding,
) -> Appraisal:
    """The monthly cash flow of ``flow`` and whether ``installment`` (the largest instalment
    of the schedule, every ``every`` ``frequency``) fits ``max_share_percent`` of it."""
    if not max_share_percent.is_finite() or not ZERO < max_share_percent <= HUNDRED:
        raise InvalidTerms(
            "the maximum share of disposable income must be above 0 and at most 100 %"
        )
    if installment < 0:
        raise InvalidTerms("the instalment cannot be negative")
    r = money.round
    with localcontext(CALC_CONTEXT):
        days = Decimal(flow.trading_days_per_week) * WEEKS_PER_MONTH
        sales = r(flow.daily_sales * days)
        purchases = r(flow.daily_purchases * days)
        transport = r(flow.cost_per_trip * flow.trips_per_week * WEEKS_PER_MONTH)
        business = sales - purchases - transport - flow.other_business_costs
        disposable = business + flow.other_income - flow.household_costs - flow.other_debts
        capacity = max(r(disposable * max_share_percent / HUNDRED), ZERO)
        monthly = r(installment * periods_per_month(frequency, every))
        ratio = (
            (monthly * HUNDRED / disposable).quantize(Decimal("0.01")) if disposable > 0 else None
        )
    return Appraisal(
        sales=sales,
        purchases=purchases,
        transport=transport,
        business_income=r(business),
        disposable_income=r(disposable),
        capacity=capacity,
        installment_monthly=monthly,
        share_percent=max_share_percent,
        ratio_percent=ratio,
    )
