"""Loan terms: everything the schedule engine needs, as one frozen value.

Rates are percentages (``Decimal("24")`` is 24 % a year). Amounts are ``Decimal`` in major
units (``Decimal("12000.00")``); the currency's minor units are given as ``decimals``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .rounding import ZERO, MoneyRounding, Rounding, is_multiple_of


class InvalidTerms(ValueError):
    """Loan terms that cannot produce a schedule; the message says why, in plain words."""


class Frequency(StrEnum):
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"


class InterestMethod(StrEnum):
    DECLINING = "declining"
    FLAT = "flat"


class Amortization(StrEnum):
    EQUAL_INSTALLMENTS = "equal-installments"
    EQUAL_PRINCIPAL = "equal-principal"


class InterestPeriod(StrEnum):
    """Interest per repayment period (rate / periods a year) or daily on the balance."""

    REPAYMENT = "repayment"
    DAILY = "daily"


class DaysInYear(StrEnum):
    D360 = "360"
    D364 = "364"
    D365 = "365"
    ACTUAL = "actual"


class DaysInMonth(StrEnum):
    D30 = "30"
    ACTUAL = "actual"


class ChargeTime(StrEnum):
    DISBURSEMENT = "disbursement"
    INSTALLMENT = "installment"


class ChargeCalculation(StrEnum):
    FLAT = "flat"
    PERCENT = "percent"  # disbursement: % of the principal
    PERCENT_OF_PRINCIPAL = "percent-of-principal"  # instalment: % of its principal
    PERCENT_OF_TOTAL = "percent-of-total"  # instalment: % of its principal + interest


_ALLOWED_CALCULATIONS = {
    ChargeTime.DISBURSEMENT: {ChargeCalculation.FLAT, ChargeCalculation.PERCENT},
    ChargeTime.INSTALLMENT: {
        ChargeCalculation.FLAT,
        ChargeCalculation.PERCENT_OF_PRINCIPAL,
        ChargeCalculation.PERCENT_OF_TOTAL,
    },
}


@dataclass(frozen=True, slots=True)
class Charge:
    """A fee of the schedule. ``amount`` is money for FLAT, a percentage otherwise.

    A disbursement fee is either ``deducted`` from what the member receives or paid by her
    in cash at disbursement; both reduce her net proceeds in the APR.
    """

    time: ChargeTime
    calculation: ChargeCalculation
    amount: Decimal
    deducted: bool = True
    name: str = ""

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "time", ChargeTime(self.time))
            object.__setattr__(self, "calculation", ChargeCalculation(self.calculation))
        except ValueError as exc:
            raise InvalidTerms(str(exc)) from exc
        if not isinstance(self.amount, Decimal):
            raise InvalidTerms(f"a fee amount must be a Decimal, not {self.amount!r}")
        if self.calculation not in _ALLOWED_CALCULATIONS[self.time]:
            allowed = ", ".join(sorted(_ALLOWED_CALCULATIONS[self.time]))
            raise InvalidTerms(
                f"a {self.time} fee is calculated as one of {allowed}, not {self.calculation}"
            )
        if not self.amount.is_finite() or self.amount < 0:
            raise InvalidTerms(f"a fee amount must be zero or positive, not {self.amount}")


@dataclass(frozen=True, slots=True)
class LoanTerms:
    """The terms of one loan as the schedule engine reads them.

    Grace counts are in repayment periods, from the first: ``grace_principal`` periods pay
    interest only; during ``grace_interest_payment`` periods interest accrues and is paid with
    the first instalment after them; ``grace_interest_free`` periods bear no interest at all.
    ``carried_interest`` is interest owed from before a reschedule: it bears no interest and
    is due with the first instalment after any interest-payment grace.
    """

    principal: Decimal
    annual_rate: Decimal
    installments: int
    disbursement_date: date
    decimals: int = 2
    every: int = 1
    frequency: Frequency = Frequency.MONTHS
    interest_method: InterestMethod = InterestMethod.DECLINING
    amortization: Amortization = Amortization.EQUAL_INSTALLMENTS
    interest_period: InterestPeriod = InterestPeriod.REPAYMENT
    days_in_year: DaysInYear = DaysInYear.ACTUAL
    days_in_month: DaysInMonth = DaysInMonth.ACTUAL
    first_due_date: date | None = None
    grace_principal: int = 0
    grace_interest_payment: int = 0
    grace_interest_free: int = 0
    installment_multiple: Decimal | None = None
    currency_multiple: Decimal | None = None
    rounding: Rounding = Rounding.HALF_EVEN
    charges: tuple[Charge, ...] = ()
    compulsory_savings_percent: Decimal = ZERO
    carried_interest: Decimal = ZERO
    money: MoneyRounding = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            for name, kind in _ENUM_FIELDS:
                object.__setattr__(self, name, kind(getattr(self, name)))
            money = MoneyRounding(self.decimals, self.rounding, self.currency_multiple)
        except ValueError as exc:
            raise InvalidTerms(str(exc)) from exc
        object.__setattr__(self, "money", money)
        _validate(self)

    @property
    def disbursement_charges(self) -> tuple[Charge, ...]:
        return tuple(c for c in self.charges if c.time is ChargeTime.DISBURSEMENT)

    @property
    def installment_charges(self) -> tuple[Charge, ...]:
        return tuple(c for c in self.charges if c.time is ChargeTime.INSTALLMENT)


_ENUM_FIELDS = (
    ("frequency", Frequency),
    ("interest_method", InterestMethod),
    ("amortization", Amortization),
    ("interest_period", InterestPeriod),
    ("days_in_year", DaysInYear),
    ("days_in_month", DaysInMonth),
    ("rounding", Rounding),
)


def _validate(t: LoanTerms) -> None:
    money = t.money
    if not isinstance(t.principal, Decimal) or not t.principal.is_finite() or t.principal <= 0:
        raise InvalidTerms(f"the principal must be a positive amount, not {t.principal}")
    if not money.is_rounded(t.principal):
        raise InvalidTerms(
            f"the principal {t.principal} must be a whole amount in the currency's "
            f"{t.decimals} decimals"
            + (f" and a multiple of {t.currency_multiple}" if t.currency_multiple else "")
        )
    if not t.annual_rate.is_finite() or t.annual_rate < 0 or t.annual_rate > 1000:
        raise InvalidTerms(f"the annual rate must be between 0 and 1000 %, not {t.annual_rate}")
    if not isinstance(t.installments, int) or t.installments < 1:
        raise InvalidTerms(f"there must be at least one instalment, not {t.installments}")
    if t.installments > 1200:
        raise InvalidTerms(f"at most 1200 instalments, not {t.installments}")
    if not isinstance(t.every, int) or t.every < 1:
        raise InvalidTerms(f"'every' must be a positive number of periods, not {t.every}")
    for name in ("grace_principal", "grace_interest_payment", "grace_interest_free"):
        value = getattr(t, name)
        if not isinstance(value, int) or value < 0:
            raise InvalidTerms(f"{name.replace('_', ' ')} must be zero or more, not {value}")
    if t.grace_principal >= t.installments:
        raise InvalidTerms("principal grace must leave at least one instalment to repay principal")
    if t.grace_interest_payment >= t.installments:
        raise InvalidTerms("interest payment grace must leave an instalment to pay the interest")
    if t.grace_interest_free > t.installments:
        raise InvalidTerms("interest-free periods cannot outnumber the instalments")
    if t.first_due_date is not None and t.first_due_date <= t.disbursement_date:
        raise InvalidTerms(
            f"the first due date {t.first_due_date} must come after the disbursement "
            f"date {t.disbursement_date}"
        )
    if t.installment_multiple is not None:
        if not t.installment_multiple.is_finite() or t.installment_multiple <= 0:
            raise InvalidTerms("the instalment multiple must be positive")
        if not money.is_rounded(t.installment_multiple):
            raise InvalidTerms(
                f"the instalment multiple {t.installment_multiple} must be a whole amount in "
                "the currency (and a multiple of the currency multiple)"
            )
    if t.currency_multiple is not None and not is_multiple_of(t.principal, t.currency_multiple):
        raise InvalidTerms(
            f"the principal must be a multiple of the currency multiple {t.currency_multiple}"
        )
    if not t.compulsory_savings_percent.is_finite() or not 0 <= t.compulsory_savings_percent < 100:
        raise InvalidTerms("compulsory savings must be a percentage from 0 to under 100")
    if not t.carried_interest.is_finite() or t.carried_interest < 0:
        raise InvalidTerms("carried interest must be zero or positive")
    if not money.is_rounded(t.carried_interest):
        raise InvalidTerms("carried interest must be a whole amount in the currency")
    for charge in t.charges:
        if not isinstance(charge, Charge):
            raise InvalidTerms(f"not a charge: {charge!r}")
