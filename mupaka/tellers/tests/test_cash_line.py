"""till_cash_line: the cash side other apps post with."""

from __future__ import annotations

import pytest
from django.db import transaction

from mupaka.core.exceptions import ValidationFailed
from mupaka.ledger.selectors import account_for
from mupaka.ledger.services import LineSpec, journal_post
from mupaka.tellers.cash import till_cash_line
from mupaka.tellers.selectors import till_balances

from .conftest import key, m


def _deposit(actor, amount, side="dr"):
    with transaction.atomic():
        cash = till_cash_line(actor=actor, amount=amount, side=side, memo="test")
        other = account_for("suspense", amount.currency)
        counter = LineSpec.cr(other, amount) if side == "dr" else LineSpec.dr(other, amount)
        return journal_post(
            actor=actor,
            business_date=actor.branch.institution.business_date,
            narrative="test",
            lines=[cash, counter],
            source_type="test",
            source_id="",
            idempotency_key=key(),
        )


def test_line_names_the_till_and_moves_its_balance(open_till, teller):
    with transaction.atomic():
        line = till_cash_line(actor=teller, amount=m("45.50"), side="dr", member_id=7)
    assert line.subledger_type == "tellers.till"
    assert line.subledger_id == str(open_till.pk)
    assert line.account_number == "5710-USD"
    assert line.debit == m("45.50") and line.member_id == 7
    _deposit(teller, m("45.50"))
    _deposit(teller, m("50000", "CDF"), side="cr")
    assert till_balances(open_till) == {"CDF": 295_000_000, "RWF": 200_000, "USD": 204_550}


@pytest.mark.parametrize(
    "amount, side, code",
    [
        (m("10", "BIF"), "dr", "currency_not_held"),
        (m("2000.01"), "cr", "not_cash_multiple"),
        (m("2001"), "cr", "insufficient_cash"),
        (m("12525", "CDF"), "cr", "not_cash_multiple"),
        (m("0"), "dr", "invalid"),
    ],
)
def test_refusals(open_till, teller, amount, side, code):
    with pytest.raises(ValidationFailed) as exc, transaction.atomic():
        till_cash_line(actor=teller, amount=amount, side=side)
    assert exc.value.code == code


def test_no_open_till(chart, staff):
    with pytest.raises(ValidationFailed) as exc, transaction.atomic():
        till_cash_line(actor=staff["teller"], amount=m("5"), side="dr")
    assert exc.value.code == "no_open_till"
    assert "no open till" in exc.value.message


def test_cash_in_may_be_any_exact_amount(open_till, teller):
    _deposit(teller, m("12525", "CDF"))
    assert till_balances(open_till)["CDF"] == 300_000_000 + 1_252_500
