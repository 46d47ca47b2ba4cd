"""Rescheduling: new terms from what is outstanding on the day of the reschedule.

The BCC allows one prorogation; refusing a second one is the lifecycle's job. The helper
only builds the new terms: principal = outstanding principal, plus the outstanding interest
when it is capitalised (it then bears interest); otherwise that interest is carried, bearing
no interest, and falls due with the first new instalment that pays interest. Fees and
penalties outstanding are left to the lifecycle (they stay on the old instalments or are
waived); the new terms have no disbursement charge, because nothing is disbursed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from .rounding import ZERO
from .terms import Charge, ChargeTime, InvalidTerms, LoanTerms


def reschedule_terms(
    terms: LoanTerms,
    *,
    on_date: date,
    outstanding_principal: Decimal,
    outstanding_interest: Decimal = ZERO,
    capitalise_interest: bool = False,
    installments: int | None = None,
    annual_rate: Decimal | None = None,
    grace_principal: int = 0,
    grace_interest_payment: int = 0,
    grace_interest_free: int = 0,
    first_due_date: date | None = None,
    keep_installment_fees: bool = True,
) -> LoanTerms:
    """Terms of the rescheduled loan, starting ``on_date``.

    ``installments`` and ``annual_rate`` default to the old ones. The grace arguments count
    periods of the new schedule (e.g. ``grace_interest_payment=2``: no interest paid in the
    first two new instalments, paid with the third).
    """
    if outstanding_principal <= 0:
        raise InvalidTerms("there is no principal left to reschedule")
    if outstanding_interest < 0:
        raise InvalidTerms("outstanding interest cannot be negative")
    principal = outstanding_principal + (outstanding_interest if capitalise_interest else ZERO)
    carried = ZERO if capitalise_interest else outstanding_interest
    charges: tuple[Charge, ...] = tuple(
        c for c in terms.charges if keep_installment_fees and c.time == ChargeTime.INSTALLMENT
    )
    return replace(
        terms,
        principal=principal,
        disbursement_date=on_date,
        installments=terms.installments if installments is None else installments,
        annual_rate=terms.annual_rate if annual_rate is None else annual_rate,
        first_due_date=first_due_date,
        grace_principal=grace_principal,
        grace_interest_payment=grace_interest_payment,
        grace_interest_free=grace_interest_free,
        charges=charges,
        compulsory_savings_percent=ZERO,
        carried_interest=carried,
    )
