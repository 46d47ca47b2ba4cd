"""Interest earned over time, as opposed to interest falling due.

With an interest-payment grace the interest of the first periods is earned in those periods
but falls due later; a prepayment with "interest only to date" and an accrual job both need
what was earned by a date. Interest is earned evenly over each period's days.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, localcontext

from .rounding import CALC_CONTEXT, ZERO
from .schedule import Schedule, period_interest_function
from .terms import InterestMethod


def period_interest(schedule: Schedule) -> tuple[Decimal, ...]:
    """The interest earned in each period of ``schedule`` (zero in interest-free periods).

    The sum equals the schedule's total interest less any carried interest: only when it
    falls due differs.
    """
    terms = schedule.terms
    rows = schedule.installments
    earned_total = sum((row.interest for row in rows), ZERO) - terms.carried_interest
    with localcontext(CALC_CONTEXT):
        if terms.interest_method == InterestMethod.FLAT:
            free = terms.grace_interest_free
            earning = [row for row in rows if row.number > free]
            if not earning:
                return tuple(ZERO for _ in rows)
            each = terms.money.round(earned_total / len(earning))
            amounts = [ZERO if row.number <= free else each for row in rows]
        else:
            interest_for = period_interest_function(terms)
            amounts = [
                ZERO
                if row.number <= terms.grace_interest_free
                else interest_for(row.balance + row.principal, row.from_date, row.due_date)
                for row in rows
            ]
        # Never more than the total; the last period takes the rounding difference, as the
        # schedule's last row does.
        cumulative = ZERO
        for k, amount in enumerate(amounts):
            if k == len(amounts) - 1 or amount > earned_total - cumulative:
                amounts[k] = earned_total - cumulative
            cumulative += amounts[k]
        return tuple(amounts)


def interest_earned_to(schedule: Schedule, on_date: date) -> Decimal:
    """Interest earned from disbursement to ``on_date`` (inclusive of carried interest),
    pro rata temporis within the current period, rounded with the product's rounding."""
    terms = schedule.terms
    earned = terms.carried_interest
    with localcontext(CALC_CONTEXT):
        for row, amount in zip(schedule.installments, period_interest(schedule), strict=True):
            if row.due_date <= on_date:
                earned += amount
            elif row.from_date < on_date:
                elapsed = (on_date - row.from_date).days
                earned += terms.money.round(amount * elapsed / row.days)
                break
            else:
                break
        return earned
