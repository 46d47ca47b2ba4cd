"""The exchange desk through the services: rates, an exchange at the counter, refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from mupaka.core.exceptions import PermissionDenied, ValidationFailed
from mupaka.core.models import AuditLog
from mupaka.ledger.models import JournalEntry, JournalLine
from mupaka.ledger.selectors import role_balance
from mupaka.ledger.verify import run_checks
from mupaka.tellers.models import Exchange, ExchangeRate
from mupaka.tellers.selectors import rate_current, till_balances
from mupaka.tellers.services import exchange_do, rate_set

from .conftest import key, m


@pytest.fixture
def rates(chart, manager):
    return {
        "USD/CDF": rate_set(
            actor=manager,
            base="USD",
            quote="CDF",
            buy="2847.35",
            sell="2895",
            reference="2871.20",
            reference_source="BCC",
        ),
        "USD/RWF": rate_set(actor=manager, base="USD", quote="RWF", buy="1400", sell="1450"),
    }


def test_rates_keep_history_and_the_latest_applies(rates, manager, institution):
    later = rate_set(actor=manager, base="USD", quote="CDF", buy="2850", sell="2890")
    assert rate_current("USD", "CDF", institution.business_date) == later
    assert ExchangeRate.objects.filter(base="USD", quote="CDF").count() == 2


@pytest.mark.parametrize(
    "kwargs, field, code",
    [
        ({"buy": "2900", "sell": "2850"}, "sell", "sell_below_buy"),
        ({"buy": "0", "sell": "2850"}, "buy", "invalid"),
        ({"base": "EUR"}, "base", "invalid"),
        ({"quote": "USD"}, "quote", "invalid"),
        ({"reference": "-1"}, "reference", "invalid"),
        ({"rate_date": dt.date(2026, 11, 1)}, "rate_date", "invalid"),
    ],
)
def test_bad_rates_are_refused(chart, manager, kwargs, field, code):
    args = {"base": "USD", "quote": "CDF", "buy": "2850", "sell": "2900", **kwargs}
    with pytest.raises(ValidationFailed) as exc:
        rate_set(actor=manager, **args)
    assert field in exc.value.errors and exc.value.code == code
    assert not ExchangeRate.objects.exists()


def test_sell_below_buy_message(chart, manager):
    with pytest.raises(ValidationFailed) as exc:
        rate_set(actor=manager, base="USD", quote="CDF", buy="2900", sell="2850")
    assert "cannot be below the buy rate" in exc.value.message


def test_reverse_pair_refused(rates, manager):
    with pytest.raises(ValidationFailed) as exc:
        rate_set(actor=manager, base="CDF", quote="USD", buy="0.0003", sell="0.0004")
    assert "USD/CDF" in exc.value.message


def test_only_the_manager_sets_rates(chart, staff):
    with pytest.raises(PermissionDenied):
        rate_set(actor=staff["teller"], base="USD", quote="CDF", buy="1", sell="2")


def test_scenario_3_walk_in_changes_usd_100(rates, open_till, teller):
    result = exchange_do(
        actor=teller,
        offered=m("100"),
        currency_out="CDF",
        customer_name="Client de passage",
        journal_key=key(),
    )
    e = result.exchange
    assert (e.amount_out_minor, e.unpaid_minor, e.change_minor) == (28_470_000, 3_500, 0)
    assert e.margin_currency == "USD" and e.margin_minor == 84
    assert till_balances(open_till) == {
        "CDF": 300_000_000 - 28_470_000,
        "RWF": 200_000,
        "USD": 210_000,
    }
    lines = {
        (ln.account.number, ln.debit_minor, ln.credit_minor)
        for ln in JournalLine.objects.filter(entry_id=e.entry_number).select_related("account")
    }
    assert lines == {
        ("5710-USD", 10_000, 0),
        ("4800-USD", 0, 9_916),
        ("7050-USD", 0, 84),
        ("4800-CDF", 28_470_000, 0),
        ("5710-CDF", 0, 28_470_000),
    }
    assert role_balance("exchange_income", "USD").natural.amount == m("0.84").amount
    assert result.receipt.number.startswith("BKV-2026-")
    assert any("35" in n for n in result.receipt.notes)
    assert all(r.ok for r in run_checks())


def test_an_old_exchange_keeps_its_rate(rates, open_till, teller, manager):
    first = exchange_do(
        actor=teller, offered=m("100"), currency_out="CDF", customer_name="A", journal_key=key()
    ).exchange
    rate_set(actor=manager, base="USD", quote="CDF", buy="2700", sell="2800")
    second = exchange_do(
        actor=teller, offered=m("100"), currency_out="CDF", customer_name="B", journal_key=key()
    ).exchange
    first.refresh_from_db()
    assert first.applied_rate_e8 == 284_735_000_000 and first.amount_out_minor == 28_470_000
    assert second.amount_out_minor == 27_000_000


def test_cross_pair_needs_a_base_rate(rates, open_till, teller, manager):
    rate_set(actor=manager, base="RWF", quote="CDF", buy="1.95", sell="2.10")
    e = exchange_do(
        actor=teller,
        offered=m("10000", "RWF"),
        currency_out="CDF",
        customer_name="C",
        journal_key=key(),
    ).exchange
    assert e.amount_out_minor == 1_950_000 and e.margin_currency == "USD" and e.margin_minor == 26
    assert all(r.ok for r in run_checks())


@pytest.mark.parametrize(
    "offered, out, code",
    [
        (m("100", "EUR"), "CDF", "currency_not_traded"),
        (m("100"), "BIF", "currency_not_traded"),  # accepted, but no USD/BIF pair
        (m("100"), "USD", "same_currency"),
        (m("0.01"), "CDF", "too_small"),
        (m("5000"), "CDF", "insufficient_cash"),  # 14 million FC: the till holds 3
    ],
)
def test_refusals_write_nothing(rates, open_till, teller, offered, out, code):
    entries, audits = JournalEntry.objects.count(), AuditLog.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        exchange_do(
            actor=teller, offered=offered, currency_out=out, customer_name="X", journal_key=key()
        )
    assert exc.value.code == code
    assert (JournalEntry.objects.count(), AuditLog.objects.count()) == (entries, audits)
    assert not Exchange.objects.exists()


def test_no_rate_today(open_till, teller, manager, institution):
    rate_set(actor=manager, base="USD", quote="CDF", buy="2800", sell="2900")
    institution.business_date = institution.business_date + dt.timedelta(days=1)
    institution.save()
    from mupaka.tellers.services import till_open

    # yesterday's till is not today's: open a new one first
    till_open(actor=manager, teller=teller, currencies=["USD", "CDF"])
    with pytest.raises(ValidationFailed) as exc:
        exchange_do(
            actor=teller, offered=m("100"), currency_out="CDF", customer_name="X", journal_key=key()
        )
    assert exc.value.code == "no_rate_today"


def test_exchange_needs_an_open_till(rates, teller):
    with pytest.raises(ValidationFailed) as exc:
        exchange_do(
            actor=teller, offered=m("100"), currency_out="CDF", customer_name="X", journal_key=key()
        )
    assert exc.value.code == "no_open_till"


# --- the service is idempotent on its own (no wrapper around it) ------------------------------
def _written() -> tuple[int, ...]:
    from mupaka.tellers.models import Receipt

    return (
        Exchange.objects.count(),
        JournalEntry.objects.count(),
        Receipt.objects.count(),
        AuditLog.objects.filter(action="exchange.do").count(),
    )


def test_the_same_key_twice_exchanges_once_and_returns_the_first_result(rates, open_till, teller):
    k = key()
    args = dict(actor=teller, offered=m("100"), currency_out="CDF", customer_name="Client A")
    first = exchange_do(**args, journal_key=k)
    written, cash = _written(), till_balances(open_till)
    again = exchange_do(**args, journal_key=k)
    assert again.replayed and not first.replayed
    assert again.exchange.pk == first.exchange.pk and again.receipt.pk == first.receipt.pk
    assert again.exchange.entry_number == first.exchange.entry_number
    assert again.receipt.number == first.receipt.number
    assert written == (1, written[1], 1, 1)
    assert _written() == written and till_balances(open_till) == cash
    assert Exchange.objects.get().idempotency_key == k


def test_a_replay_is_answered_even_once_the_till_is_counted(rates, open_till, teller):
    """The first result comes back whatever happened since (a retried request after the
    teller counted her till): nothing is checked again, nothing moves."""
    from mupaka.tellers.services import till_close

    k = key()
    args = dict(actor=teller, offered=m("100"), currency_out="CDF", customer_name="Client A")
    first = exchange_do(**args, journal_key=k)
    till_close(actor=teller, till=open_till, counts={})
    assert exchange_do(**args, journal_key=k).exchange.pk == first.exchange.pk


@pytest.mark.parametrize(
    "change",
    [
        {"offered": m("50")},
        {"offered": m("300000", "CDF"), "currency_out": "USD"},
        {"currency_out": "RWF"},
        {"customer_name": "Client B"},
    ],
)
def test_the_same_key_for_another_exchange_is_a_conflict(rates, open_till, teller, change):
    from mupaka.core.exceptions import Conflict

    k = key()
    args = dict(actor=teller, offered=m("100"), currency_out="CDF", customer_name="Client A")
    exchange_do(**args, journal_key=k)
    written, cash = _written(), till_balances(open_till)
    with pytest.raises(Conflict) as exc:
        exchange_do(**{**args, **change}, journal_key=k)
    assert exc.value.code == "idempotency_conflict"
    assert _written() == written and till_balances(open_till) == cash


def test_a_refused_exchange_leaves_its_key_free(rates, open_till, teller):
    k = key()
    with pytest.raises(ValidationFailed):
        exchange_do(
            actor=teller, offered=m("5000"), currency_out="CDF", customer_name="X", journal_key=k
        )
    done = exchange_do(
        actor=teller, offered=m("100"), currency_out="CDF", customer_name="X", journal_key=k
    )
    assert not done.replayed and Exchange.objects.count() == 1


def test_an_exchange_needs_a_key(rates, open_till, teller):
    with pytest.raises(ValidationFailed) as exc:
        exchange_do(
            actor=teller, offered=m("100"), currency_out="CDF", customer_name="X", journal_key=" "
        )
    assert exc.value.code == "idempotency_key_missing"
    assert _written()[0] == 0
