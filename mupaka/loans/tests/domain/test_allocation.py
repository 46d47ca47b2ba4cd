"""Repayment allocation and replay, on Fineract's reference loan.

12,000 at 2 % a month: instalments of 3151.49 (3151.47 last) due 2011-10-20, 11-20, 12-20
and 2012-01-20; interest 240.00, 181.77, 122.38, 61.79.
"""

from __future__ import annotations

from datetime import date

import pytest

from mupaka.loans.domain import (
    AllocationError,
    AllocationRules,
    ChargeApplied,
    Component,
    Components,
    MoneyRounding,
    PenaltyRule,
    Repayment,
    Waiver,
    payoff_quote,
    penalties_due,
    replay,
)

from .support import D, schedule

DUE = [date(2011, 10, 20), date(2011, 11, 20), date(2011, 12, 20), date(2012, 1, 20)]
INSTALMENT = D("3151.49")
INSTALLMENT_FIRST = AllocationRules(strategy="installment-first")
TO_DATE = AllocationRules(prepayment="interest-to-date")


def test_paying_every_instalment_on_time_closes_the_loan() -> None:
    s = schedule()
    txs = [Repayment(d, row.total) for d, row in zip(DUE, s.installments, strict=True)]
    state = replay(s, txs)
    assert state.closed_on == date(2012, 1, 20)
    assert state.outstanding() == Components(D("0.00"), D("0.00"), D("0.00"), D(0))
    assert state.credit == 0
    assert [row.completed_on for row in state.installments] == DUE
    assert state.days_past_due(date(2012, 6, 1)) == 0


def test_partial_payment_goes_to_interest_before_principal() -> None:
    state = replay(schedule(), [Repayment(DUE[0], D(1000))])
    first = state.installments[0]
    assert (first.paid.interest, first.paid.principal) == (D("240.00"), D("760.00"))
    assert state.allocations[0].amounts == Components(D("760.00"), D("240.00"), D(0), D(0))


def test_component_first_pays_all_interest_due_before_any_principal() -> None:
    s = schedule()
    txs = [ChargeApplied(date(2011, 11, 25), 1, D(10)), Repayment(date(2011, 11, 25), D(500))]
    rows = replay(s, txs).installments
    assert rows[0].paid == Components(D("68.23"), D("240.00"), D(0), D(10))
    assert rows[1].paid == Components(D(0), D("181.77"), D(0), D(0))


def test_installment_first_settles_the_oldest_instalment_before_the_next() -> None:
    s = schedule()
    txs = [ChargeApplied(date(2011, 11, 25), 1, D(10)), Repayment(date(2011, 11, 25), D(500))]
    rows = replay(s, txs, INSTALLMENT_FIRST).installments
    assert rows[0].paid == Components(D("250.00"), D("240.00"), D(0), D(10))
    assert rows[1].paid == Components(D(0), D(0), D(0), D(0))


def test_configurable_component_order() -> None:
    rules = AllocationRules(order=("principal", "interest", "fees", "penalties"))
    rows = replay(schedule(), [Repayment(DUE[0], D(3000))], rules).installments
    assert (rows[0].paid.principal, rows[0].paid.interest) == (D("2911.49"), D("88.51"))


def test_days_past_due_and_overdue_amounts() -> None:
    s = schedule()
    late = replay(s, [])
    assert late.days_past_due(date(2011, 10, 20)) == 0  # due today is not late yet
    assert late.days_past_due(date(2011, 11, 25)) == 36
    assert late.overdue(date(2011, 11, 25)) == Components(
        D("5881.21"), D("421.77"), D("0.00"), D(0)
    )
    # Component first: one instalment's worth pays both interests first, so instalment 1
    # stays partly unpaid and the arrears still date from 20 Oct.
    one_payment = [Repayment(date(2011, 11, 25), INSTALMENT)]
    assert replay(s, one_payment).days_past_due(date(2011, 11, 26)) == 37
    paid_first = replay(s, one_payment, INSTALLMENT_FIRST)
    assert paid_first.days_past_due(date(2011, 11, 26)) == 6  # instalment 2, due 20 Nov
    # completion dates keep the past right: on 24 Nov instalment 1 was still unpaid
    assert paid_first.days_past_due(date(2011, 11, 24)) == 35
    assert [o.number for o in paid_first.overdue_installments(date(2011, 11, 26))] == [2]


def test_payment_before_the_due_date_settles_the_next_instalment() -> None:
    state = replay(schedule(), [Repayment(date(2011, 10, 1), INSTALMENT)])
    assert state.installments[0].completed_on == date(2011, 10, 1)
    assert state.installments[1].paid.total == 0
    assert state.days_past_due(date(2011, 10, 25)) == 0


def test_overpayment_becomes_a_credit_balance() -> None:
    state = replay(schedule(), [Repayment(DUE[0], D(13000))])
    assert state.credit == D("394.06")  # 13,000 - 12,605.94
    assert state.closed_on == DUE[0]
    assert state.allocations[0].credit == D("394.06")


def test_payoff_with_interest_only_to_date() -> None:
    s = schedule()
    after_first = replay(s, [Repayment(DUE[0], INSTALMENT)], TO_DATE)
    on = date(2011, 11, 5)  # 16 of the 31 days of period 2: 181.77 x 16/31 = 93.82
    quote = payoff_quote(s, after_first, on, TO_DATE)
    assert quote == D("9088.51") + D("93.82")
    assert payoff_quote(s, after_first, on) == D("9454.45")  # scheduled: all the interest
    state = replay(s, [Repayment(DUE[0], INSTALMENT), Repayment(on, quote)], TO_DATE)
    assert state.closed_on == on
    assert state.credit == 0
    assert state.installments[1].due.interest == D("93.82")
    assert state.installments[2].due.interest == D("0.00")
    assert state.allocations[1].interest_forgone == D("87.95") + D("122.38") + D("61.79")


def test_payoff_short_of_the_quote_is_an_advance_payment() -> None:
    s = schedule()
    state = replay(
        s, [Repayment(DUE[0], INSTALMENT), Repayment(date(2011, 11, 5), D(9000))], TO_DATE
    )
    assert state.closed_on is None
    assert state.installments[1].due.interest == D("181.77")  # nothing re-priced
    assert state.installments[1].completed_on == date(2011, 11, 5)


def test_payoff_to_date_counts_interest_deferred_by_a_payment_grace() -> None:
    s = schedule(grace_interest_payment=1)  # 240.00 of period 1 falls due on 20 Nov
    state = replay(s, [Repayment(DUE[0], D("2911.49"))], TO_DATE)
    # owed on 5 Nov: principal 9088.51 + 240.00 earned in period 1 + 93.82 of period 2
    assert payoff_quote(s, state, date(2011, 11, 5), TO_DATE) == D("9422.33")


def test_waivers() -> None:
    s = schedule()
    state = replay(s, [Waiver(date(2011, 12, 1), "interest", D(300))])
    assert [row.waived.interest for row in state.installments][:2] == [D("240.00"), D("60.00")]
    one = replay(s, [Waiver(date(2011, 12, 1), Component.INTEREST, D(50), installment=3)])
    assert one.installments[2].outstanding.interest == D("72.38")
    with pytest.raises(AllocationError, match="exceeds"):
        replay(s, [Waiver(date(2011, 12, 1), "interest", D(1000))])
    with pytest.raises(AllocationError, match="write the loan off"):
        replay(s, [Waiver(date(2011, 12, 1), "principal", D(1))])


def test_a_penalty_reopens_a_settled_instalment() -> None:
    s = schedule()
    state = replay(s, [Repayment(DUE[0], INSTALMENT), ChargeApplied(date(2011, 10, 21), 1, D(5))])
    assert state.installments[0].completed_on is None
    assert state.installments[0].outstanding.penalties == D(5)


def test_reversal_is_a_replay_without_the_transaction() -> None:
    s = schedule()
    txs = [Repayment(DUE[0], INSTALMENT), Repayment(DUE[1], INSTALMENT)]
    reversed_state = replay(s, txs[:1])
    assert replay(s, txs).installments[1].completed_on == DUE[1]
    assert reversed_state.installments[1].completed_on is None
    assert reversed_state.days_past_due(date(2011, 11, 30)) == 10


def test_transactions_apply_in_date_order() -> None:
    s = schedule()
    txs = [Repayment(date(2011, 11, 25), D(100)), ChargeApplied(date(2011, 11, 21), 1, D(10))]
    state = replay(s, txs)
    assert state.installments[0].paid.penalties == D(10)  # the penalty existed on 25 Nov


def test_late_penalties_from_the_state() -> None:
    s = schedule()
    rule = PenaltyRule("percent-of-overdue", D(2), tolerance_days=5)
    as_of = date(2011, 10, 26)
    state = replay(s, [Repayment(DUE[0], D(1000))])
    charges = penalties_due(
        state.overdue_installments(as_of), rule, as_of=as_of, money=MoneyRounding(2)
    )
    # 2 % of the 2151.49 still overdue on instalment 1
    assert [(c.installment, c.on_date, c.amount) for c in charges] == [(1, as_of, D("43.03"))]
    txs = [Repayment(DUE[0], D(1000))] + [
        ChargeApplied(c.on_date, c.installment, c.amount) for c in charges
    ]
    assert replay(s, txs).installments[0].outstanding.penalties == D("43.03")


@pytest.mark.parametrize("amount", [D(0), D(-5), D("1.001")])
def test_bad_amounts_are_refused(amount) -> None:  # noqa: ANN001
    with pytest.raises(AllocationError, match="positive"):
        replay(schedule(), [Repayment(DUE[0], amount)])


def test_bad_rules_and_targets() -> None:
    with pytest.raises(AllocationError):
        AllocationRules(order=("principal", "principal", "fees", "interest"))
    with pytest.raises(AllocationError, match="no instalment 9"):
        replay(schedule(), [ChargeApplied(DUE[0], 9, D(1))])
