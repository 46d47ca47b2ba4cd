"""Pure rules of savings: interest, daily balances, movement checks, term deposits.

No Django, no clock: dates and amounts come in as arguments (see the import-linter
contract in pyproject.toml). Amounts are integers in minor units or
:class:`mupaka.core.money.Money`; rates are :class:`~decimal.Decimal` fractions
(``Decimal("0.06")`` for 6 % a year).
"""

from mupaka.savings.domain.balances import Movement, daily_balances
from mupaka.savings.domain.interest import (
    Accumulator,
    InterestMethod,
    InterestResult,
    accumulate,
    accumulate_balances,
    interest_for_balances,
    interest_from_accumulator,
)
from mupaka.savings.domain.periods import PostingFrequency, is_posting_date, period_start
from mupaka.savings.domain.rules import (
    AccountState,
    Refusal,
    TierLimit,
    check_credit,
    check_debit,
    is_dormant,
)
from mupaka.savings.domain.term import add_months, early_break_penalty_minor, maturity_date

__all__ = [
    "AccountState",
    "Accumulator",
    "InterestMethod",
    "InterestResult",
    "Movement",
    "PostingFrequency",
    "Refusal",
    "TierLimit",
    "accumulate",
    "accumulate_balances",
    "add_months",
    "check_credit",
    "check_debit",
    "daily_balances",
    "early_break_penalty_minor",
    "interest_for_balances",
    "interest_from_accumulator",
    "is_dormant",
    "is_posting_date",
    "maturity_date",
    "period_start",
]
