"""Performance indicators of a microfinance institution, each a pure function.

Definitions (the formula shown beside each figure on screen says the same):

* CGAP/SEEP, *Microfinance Consensus Guidelines — Definitions of Selected Financial Terms,
  Ratios, and Adjustments for Microfinance*, 3rd ed., September 2003 ("Consensus
  Guidelines"), chapter II: Sustainability/Profitability, Portfolio quality,
  Efficiency/Productivity; annualising and averaging rules in "Calculation issues".
* SEEP Network, *Microfinance Financial Reporting Standards* (MFRS, 2010) and the
  *Measuring Performance of Microfinance Institutions* framework (2005) used by FRAME;
  MIX Market's indicator definitions follow them.
* MicroRate, *Technical Guide: Performance and Social Indicators for Microfinance
  Institutions* (2014): risk coverage against PAR30 *including* renegotiated loans.
* CGAP Occasional Paper 3, R. Rosenberg, *Measuring Microcredit Delinquency: Ratios Can
  Be Harmful to Your Health* (June 1999): collection rate and why it is not a measure of
  portfolio quality.

Formulas:

==============================  ===============================================================
write-off ratio                 value of loans written off in the period / average gross loan
                                portfolio (annualised)
risk coverage ratio             impairment loss allowance / PAR>30 (incl. restructured loans)
operational self-sufficiency    financial revenue / (financial expense + net impairment loss
                                + operating expense)
portfolio yield (nominal)       financial revenue from the loan portfolio (interest, fees,
                                penalties) / average gross loan portfolio (annualised)
portfolio yield (real)          (nominal yield − inflation rate) / (1 + inflation rate)
operating expense ratio         operating expense / average gross loan portfolio (annualised)
cost per borrower               operating expense (annualised) / average number of active
                                borrowers
borrowers per loan officer      number of active borrowers / number of loan officers
average loan balance            gross loan portfolio / number of active borrowers
collection rate                 amount received on what fell due in the period / amount that
                                fell due in the period (prepayments and collections of past
                                arrears excluded from both sides)
==============================  ===============================================================

A period shorter than a year is annualised by ``365 / days`` (Consensus Guidelines: "ratios
for periods other than a year are annualised"); an average balance is the mean of the
balance at the start of the period and at each month end in it (the Guidelines' monthly
averaging), which the selector passes in.

Every function returns ``None`` when its denominator is zero: a ratio that cannot be
computed is shown as "—", never as 0 or infinity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

DAYS_IN_YEAR = Decimal(365)


@dataclass(frozen=True)
class Indicator:
    key: str
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    kind: str = "ratio"  # ratio | amount | count


def _div(a, b) -> Decimal | None:
    if b is None or a is None:
        return None
    b = Decimal(b)
    if b == 0:
        return None
    return Decimal(a) / b


def annualisation_factor(days: int) -> Decimal:
    """365 / days of the period (1 for a 365-day period)."""
    if days <= 0:
        raise ValueError("a period has at least one day")
    return DAYS_IN_YEAR / Decimal(days)


def average(balances: Sequence[int | Decimal]) -> Decimal | None:
    """Mean of period balances (start of period and each month end)."""
    if not balances:
        return None
    return Decimal(sum(Decimal(b) for b in balances)) / Decimal(len(balances))


def write_off_ratio(*, written_off: int, average_glp, days: int) -> Indicator:
    num = Decimal(written_off) * annualisation_factor(days)
    return Indicator("write_off_ratio", _div(num, average_glp), num, _d(average_glp))


def risk_coverage_ratio(*, allowance: int, par30: int) -> Indicator:
    return Indicator(
        "risk_coverage_ratio", _div(allowance, par30), Decimal(allowance), Decimal(par30)
    )


def operational_self_sufficiency(
    *, financial_revenue: int, financial_expense: int, impairment_loss: int, operating_expense: int
) -> Indicator:
    den = Decimal(financial_expense) + Decimal(impairment_loss) + Decimal(operating_expense)
    return Indicator(
        "operational_self_sufficiency",
        _div(financial_revenue, den),
        Decimal(financial_revenue),
        den,
    )


def portfolio_yield_nominal(*, loan_revenue: int, average_glp, days: int) -> Indicator:
    num = Decimal(loan_revenue) * annualisation_factor(days)
    return Indicator("portfolio_yield_nominal", _div(num, average_glp), num, _d(average_glp))


def portfolio_yield_real(*, nominal: Decimal | None, inflation: Decimal) -> Indicator:
    """Fisher: (nominal − inflation) / (1 + inflation); inflation as a fraction (0.12)."""
    if inflation <= Decimal(-1):
        raise ValueError("inflation must be above -100 %")
    value = None if nominal is None else (nominal - inflation) / (Decimal(1) + inflation)
    return Indicator("portfolio_yield_real", value, nominal, Decimal(1) + inflation)


def operating_expense_ratio(*, operating_expense: int, average_glp, days: int) -> Indicator:
    num = Decimal(operating_expense) * annualisation_factor(days)
    return Indicator("operating_expense_ratio", _div(num, average_glp), num, _d(average_glp))


def cost_per_borrower(*, operating_expense: int, average_borrowers, days: int) -> Indicator:
    """Amount in minor units of the currency (annualised operating expense per borrower)."""
    num = Decimal(operating_expense) * annualisation_factor(days)
    return Indicator(
        "cost_per_borrower", _div(num, average_borrowers), num, _d(average_borrowers), "amount"
    )


def borrowers_per_loan_officer(*, active_borrowers: int, loan_officers: int) -> Indicator:
    return Indicator(
        "borrowers_per_loan_officer",
        _div(active_borrowers, loan_officers),
        Decimal(active_borrowers),
        Decimal(loan_officers),
        "count",
    )


def average_loan_balance(*, glp: int, active_borrowers: int) -> Indicator:
    """Amount in minor units: gross loan portfolio per active borrower (MIX definition)."""
    return Indicator(
        "average_loan_balance",
        _div(glp, active_borrowers),
        Decimal(glp),
        Decimal(active_borrowers),
        "amount",
    )


@dataclass(frozen=True)
class Instalment:
    """What one instalment fell due for, and when it was paid (minor units).

    ``paid_before`` was paid before the period began (a prepayment: excluded),
    ``paid_in_period`` between the first and the last day of the period included."""

    due_minor: int
    paid_before_minor: int = 0
    paid_in_period_minor: int = 0


def collection_rate(instalments: Iterable[Instalment]) -> Indicator:
    """Received / fell due for the instalments falling due in the period.

    Only instalments due inside the period are given, so collections of older arrears
    never enter the numerator; what had been prepaid before the period is taken out of
    both sides (it could not be collected in the period). Payments are capped at what
    was still due."""
    due = received = 0
    for i in instalments:
        collectable = max(i.due_minor - i.paid_before_minor, 0)
        due += collectable
        received += min(i.paid_in_period_minor, collectable)
    return Indicator("collection_rate", _div(received, due), Decimal(received), Decimal(due))


def _d(value) -> Decimal | None:
    return None if value is None else Decimal(value)
