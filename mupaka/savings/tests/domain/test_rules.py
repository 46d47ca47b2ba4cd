"""Movement checks, posting dates and term deposits, by example."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from mupaka.savings.domain import (
    AccountState,
    TierLimit,
    check_credit,
    check_debit,
    early_break_penalty_minor,
    is_dormant,
    is_posting_date,
    maturity_date,
    period_start,
)

ACTIVE = AccountState(
    status="active",
    kind="voluntary",
    balance_minor=10_000,
    blocked_minor=2_000,
    min_balance_minor=1_000,
)


def code(refusal):
    return refusal.code if refusal else None


def test_available_is_balance_minus_blocked_minus_minimum():
    assert ACTIVE.available_minor == 7_000
    assert check_debit(ACTIVE, 7_000) is None
    r = check_debit(ACTIVE, 7_001)
    assert r.code == "insufficient_available" and r.params["available_minor"] == 7_000


def test_institution_charges_may_use_the_minimum_but_never_go_below_zero():
    assert check_debit(ACTIVE, 8_000, customer=False, below_minimum=True) is None
    assert (
        code(check_debit(ACTIVE, 8_001, customer=False, below_minimum=True))
        == "insufficient_available"
    )


def test_a_released_block_can_be_used_by_the_same_movement():
    assert check_debit(ACTIVE, 9_000, use_blocked_minor=2_000) is None


def test_status_rules():
    dormant = AccountState(status="dormant", kind="voluntary", balance_minor=10_000)
    assert code(check_credit(dormant, 100)) == "account_dormant"
    assert code(check_debit(dormant, 100)) == "account_dormant"
    assert check_credit(dormant, 100, customer=False) is None  # interest still goes in
    closed = AccountState(status="closed", kind="voluntary", balance_minor=0)
    assert code(check_credit(closed, 100, customer=False)) == "account_closed"
    blocked = AccountState(status="blocked", kind="voluntary", balance_minor=500)
    assert code(check_debit(blocked, 100)) == "account_blocked"
    assert code(check_credit(ACTIVE, 0)) == "amount_not_positive"
    assert code(check_debit(ACTIVE, -5)) == "amount_not_positive"


def test_tier_limits():
    limit = TierLimit(tier=0, max_balance_minor=20_000, max_withdrawal_per_day_minor=5_000)
    assert check_credit(ACTIVE, 10_000, member_total_minor=10_000, limit=limit) is None
    r = check_credit(ACTIVE, 10_001, member_total_minor=10_000, limit=limit)
    assert r.code == "tier_max_balance" and r.params["room_minor"] == 10_000
    assert check_debit(ACTIVE, 3_000, withdrawn_today_minor=2_000, limit=limit) is None
    r = check_debit(ACTIVE, 3_001, withdrawn_today_minor=2_000, limit=limit)
    assert r.code == "tier_daily_withdrawal" and r.params["room_minor"] == 3_000
    # the institution's own postings ignore the member's limits
    assert (
        check_credit(ACTIVE, 50_000, customer=False, member_total_minor=10_000, limit=limit) is None
    )


def test_term_deposit_rules():
    term = AccountState(status="active", kind="term", balance_minor=100_000)
    assert code(check_credit(term, 100)) == "term_no_deposit"
    assert check_credit(term, 100, opening=True) is None
    assert code(check_debit(term, 100)) == "term_not_matured"
    assert check_debit(term, 100, term_break=True) is None
    matured = AccountState(status="active", kind="term", balance_minor=100_000, matured=True)
    assert check_debit(matured, 100_000) is None


def test_dormancy():
    last = dt.date(2026, 5, 1)
    assert not is_dormant(last_customer_date=last, on_date=dt.date(2026, 10, 27), dormancy_days=180)
    assert is_dormant(last_customer_date=last, on_date=dt.date(2026, 10, 28), dormancy_days=180)
    assert not is_dormant(last_customer_date=last, on_date=dt.date(2030, 1, 1), dormancy_days=0)


def test_posting_dates_and_period_starts():
    assert is_posting_date(dt.date(2026, 11, 30), "monthly")
    assert not is_posting_date(dt.date(2026, 11, 29), "monthly")
    assert is_posting_date(dt.date(2028, 2, 29), "monthly")
    assert not is_posting_date(dt.date(2026, 11, 30), "quarterly")
    assert is_posting_date(dt.date(2026, 12, 31), "quarterly")
    assert is_posting_date(dt.date(2026, 12, 31), "annually")
    assert not is_posting_date(dt.date(2026, 6, 30), "annually")
    assert not is_posting_date(dt.date(2026, 12, 31), "at_maturity")
    assert period_start(dt.date(2026, 11, 27), "monthly") == dt.date(2026, 11, 1)
    assert period_start(dt.date(2026, 11, 27), "quarterly") == dt.date(2026, 10, 1)
    assert period_start(dt.date(2026, 11, 27), "annually") == dt.date(2026, 1, 1)


def test_term_maturity_and_penalty():
    assert maturity_date(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert maturity_date(dt.date(2026, 11, 27), 6) == dt.date(2027, 5, 27)
    assert maturity_date(dt.date(2026, 11, 27), 12) == dt.date(2027, 11, 27)
    # 2 % of USD 500.00 = USD 10.00; 1.5 % of RWF 12,345 = 185.175 → 185
    assert early_break_penalty_minor(50_000, Decimal("0.02")) == 1_000
    assert early_break_penalty_minor(12_345, Decimal("0.015")) == 185
