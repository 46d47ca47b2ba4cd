"""May this money go in or out of a savings account? Pure checks that return a
:class:`Refusal` (a code and its numbers; services turn it into a translated
message) or ``None``.

- An account that is closed or blocked takes nothing and gives nothing.
- A *dormant* account (no customer transaction for the product's number of days)
  refuses customer deposits and withdrawals until a manager reactivates it; the
  institution's own postings (interest, fees) still go through.
- Out: never more than the *available* balance = balance − blocked amounts − the
  product's minimum balance (fees charged by the institution may use the minimum
  balance but never go below zero).
- A term deposit takes no deposit after opening and gives nothing before maturity
  (breaking it early is its own operation).
- KYC tier limits (set by the institution per tier and currency): the member's
  total balance in the currency may not pass ``max_balance_minor``; her customer
  withdrawals of the day may not pass ``max_withdrawal_per_day_minor``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ACTIVE, DORMANT, BLOCKED, CLOSED = "active", "dormant", "blocked", "closed"
VOLUNTARY, GUARANTEE, TERM = "voluntary", "guarantee", "term"


@dataclass(frozen=True, slots=True)
class AccountState:
    status: str
    kind: str
    balance_minor: int
    blocked_minor: int = 0
    min_balance_minor: int = 0
    matured: bool = False

    @property
    def available_minor(self) -> int:
        return self.balance_minor - self.blocked_minor - self.min_balance_minor


@dataclass(frozen=True, slots=True)
class TierLimit:
    tier: int
    max_balance_minor: int | None = None
    max_withdrawal_per_day_minor: int | None = None


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    params: dict = field(default_factory=dict)


def _status_refusal(state: AccountState, *, customer: bool) -> Refusal | None:
    if state.status == CLOSED:
        return Refusal("account_closed")
    if state.status == BLOCKED:
        return Refusal("account_blocked")
    if state.status == DORMANT and customer:
        return Refusal("account_dormant")
    return None


def check_credit(
    state: AccountState,
    amount_minor: int,
    *,
    customer: bool = True,
    opening: bool = False,
    member_total_minor: int | None = None,
    limit: TierLimit | None = None,
) -> Refusal | None:
    """Money in. ``member_total_minor``: the member's balance in this currency across
    her accounts (for the tier's maximum balance); ``opening``: the first deposit of a
    term deposit."""
    if amount_minor <= 0:
        return Refusal("amount_not_positive")
    refusal = _status_refusal(state, customer=customer)
    if refusal:
        return refusal
    if state.kind == TERM and customer and not opening:
        return Refusal("term_no_deposit")
    if customer and limit is not None and limit.max_balance_minor is not None:
        total = state.balance_minor if member_total_minor is None else member_total_minor
        if total + amount_minor > limit.max_balance_minor:
            return Refusal(
                "tier_max_balance",
                {
                    "tier": limit.tier,
                    "max_minor": limit.max_balance_minor,
                    "room_minor": max(limit.max_balance_minor - total, 0),
                },
            )
    return None


def check_debit(
    state: AccountState,
    amount_minor: int,
    *,
    customer: bool = True,
    use_blocked_minor: int = 0,
    below_minimum: bool = False,
    withdrawn_today_minor: int = 0,
    limit: TierLimit | None = None,
    term_break: bool = False,
) -> Refusal | None:
    """Money out. ``use_blocked_minor``: part of a block released by this same movement
    (a guarantee applied to arrears); ``below_minimum``: an institution charge that may
    use the minimum balance (never below zero)."""
    if amount_minor <= 0:
        return Refusal("amount_not_positive")
    refusal = _status_refusal(state, customer=customer)
    if refusal:
        return refusal
    if state.kind == TERM and not state.matured and not term_break and customer:
        return Refusal("term_not_matured")
    floor = 0 if below_minimum else state.min_balance_minor
    available = state.balance_minor - (state.blocked_minor - use_blocked_minor) - floor
    if amount_minor > available:
        return Refusal(
            "insufficient_available",
            {
                "available_minor": max(available, 0),
                "blocked_minor": state.blocked_minor,
                "min_balance_minor": floor,
            },
        )
    if customer and limit is not None and limit.max_withdrawal_per_day_minor is not None:
        if withdrawn_today_minor + amount_minor > limit.max_withdrawal_per_day_minor:
            return Refusal(
                "tier_daily_withdrawal",
                {
                    "tier": limit.tier,
                    "max_minor": limit.max_withdrawal_per_day_minor,
                    "room_minor": max(
                        limit.max_withdrawal_per_day_minor - withdrawn_today_minor, 0
                    ),
                },
            )
    return None


def is_dormant(*, last_customer_date: dt.date, on_date: dt.date, dormancy_days: int) -> bool:
    """Dormant once ``dormancy_days`` full days have passed without a customer
    transaction (0 = the product never makes accounts dormant)."""
    if dormancy_days <= 0:
        return False
    return (on_date - last_customer_date).days >= dormancy_days
