"""Two payouts from one till at the same moment cannot take more than it holds: the till
row is locked (SELECT ... FOR UPDATE) by till_cash_line until the payout commits.
On PostgreSQL (row locks) and on SQLite (a file database whose IMMEDIATE transactions
serialize writers)."""

import threading
import uuid

import pytest
from django.db import connections, transaction

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_payouts_cannot_overdraw_the_till(open_till, teller):
    from mupaka.core.exceptions import ValidationFailed
    from mupaka.core.money import Money
    from mupaka.ledger.selectors import account_for
    from mupaka.ledger.services import LineSpec, journal_post
    from mupaka.ledger.verify import run_checks
    from mupaka.tellers.cash import till_cash_line
    from mupaka.tellers.selectors import till_balances

    amount = Money.of("1500", "USD")  # the till holds 2,000: only one of two can pass
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def pay() -> None:
        try:
            start.wait()
            with transaction.atomic():
                cash = till_cash_line(actor=teller, amount=amount, side="cr")
                journal_post(
                    actor=teller,
                    business_date=open_till.business_date,
                    narrative="Paiement",
                    lines=[LineSpec.dr(account_for("suspense", "USD"), amount), cash],
                    source_type="test",
                    idempotency_key=str(uuid.uuid4()),
                )
            outcomes.append("paid")
        except ValidationFailed as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == ["insufficient_cash", "paid"]
    assert till_balances(open_till)["USD"] == 50_000
    assert all(r.ok for r in run_checks(["tellers.cash_vs_ledger", "tellers.closed_tills_empty"]))


def test_the_same_exchange_sent_twice_at_once_is_done_once(open_till, teller, manager):
    """A retried request arriving while the first is still running (no wrapper around the
    service): the second waits for the till, then gets the first exchange back."""
    from mupaka.core.money import Money
    from mupaka.ledger.models import JournalEntry
    from mupaka.ledger.verify import run_checks
    from mupaka.tellers.models import Exchange, Receipt
    from mupaka.tellers.selectors import till_balances
    from mupaka.tellers.services import exchange_do, rate_set

    rate_set(actor=manager, base="USD", quote="CDF", buy="2847.35", sell="2895")
    key, entries = str(uuid.uuid4()), JournalEntry.objects.count()
    start = threading.Barrier(2)
    outcomes: list[tuple[int, bool]] = []

    def change() -> None:
        try:
            start.wait()
            done = exchange_do(
                actor=teller,
                offered=Money.of("100", "USD"),
                currency_out="CDF",
                customer_name="Client de passage",
                journal_key=key,
            )
            outcomes.append((done.exchange.pk, done.replayed))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=change) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(outcomes) == 2 and outcomes[0][0] == outcomes[1][0]
    assert sorted(replayed for _pk, replayed in outcomes) == [False, True]
    assert (Exchange.objects.count(), Receipt.objects.count()) == (1, 1)
    assert JournalEntry.objects.count() == entries + 1
    assert till_balances(open_till)["USD"] == 210_000
    assert all(r.ok for r in run_checks(["tellers.cash_vs_ledger", "tellers.closed_tills_empty"]))
