"""The pure loan engine: schedules, interest, charges, APR, allocation, rescheduling.

Imports only the standard library (no Django, no other Mupaka package) and never reads the
clock: every date is an argument. The public API is re-exported here.
"""

from .accrual import interest_earned_to, period_interest
from .allocation import (
    Allocation,
    AllocationError,
    AllocationRules,
    AllocationStrategy,
    ChargeApplied,
    Component,
    Components,
    InstallmentState,
    LoanState,
    PrepaymentMode,
    Repayment,
    Transaction,
    Waiver,
    payoff_quote,
    replay,
)
from .apr import NoRateOfReturn, PriceDisclosure, internal_rate_of_return, price_disclosure
from .charges import (
    OverdueBasis,
    OverdueInstallment,
    PenaltyCalculation,
    PenaltyCharge,
    PenaltyRule,
    penalties_due,
    penalty_dates,
)
from .dates import add_months, due_dates
from .reschedule import reschedule_terms
from .rounding import MoneyRounding, Rounding
from .schedule import Installment, Schedule, generate_schedule
from .terms import (
    Amortization,
    Charge,
    ChargeCalculation,
    ChargeTime,
    DaysInMonth,
    DaysInYear,
    Frequency,
    InterestMethod,
    InterestPeriod,
    InvalidTerms,
    LoanTerms,
)

__all__ = [
    "Allocation",
    "AllocationError",
    "AllocationRules",
    "AllocationStrategy",
    "Amortization",
    "Charge",
    "ChargeApplied",
    "ChargeCalculation",
    "ChargeTime",
    "Component",
    "Components",
    "DaysInMonth",
    "DaysInYear",
    "Frequency",
    "InstallmentState",
    "Installment",
    "InterestMethod",
    "InterestPeriod",
    "InvalidTerms",
    "LoanState",
    "LoanTerms",
    "MoneyRounding",
    "NoRateOfReturn",
    "OverdueBasis",
    "OverdueInstallment",
    "PenaltyCalculation",
    "PenaltyCharge",
    "PenaltyRule",
    "PrepaymentMode",
    "PriceDisclosure",
    "Repayment",
    "Rounding",
    "Schedule",
    "Transaction",
    "Waiver",
    "add_months",
    "due_dates",
    "generate_schedule",
    "interest_earned_to",
    "internal_rate_of_return",
    "payoff_quote",
    "penalties_due",
    "penalty_dates",
    "period_interest",
    "price_disclosure",
    "replay",
    "reschedule_terms",
]
