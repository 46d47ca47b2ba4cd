"""Counter operations sharing one commit (mupaka/core/commit_group.py), with the real
services on real parallel connections, on SQLite and PostgreSQL (grouping switched on
for the test; PostgreSQL's default is off).

A first operation is held open inside its transaction until the others have queued
behind it, so they form the next group together: a deposit, two withdrawals that are
refused (one teller working in French, the other in English), a withdrawal and a
transfer. Each caller gets its own result or its own refusal, in its own language; the
refused ones write nothing; the till, the accounts and the ledger agree.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.utils import translation

from mupaka.core.testing import group_behind_a_held_operation
from mupaka.savings.tests.conftest import key, m, verify_green

pytestmark = pytest.mark.django_db(transaction=True)


def _queue_behind_a_held_operation(calls: dict) -> tuple[dict, tuple[int, int]]:
    """``calls`` {label: (language, fn)} in order: what each caller got (in her own
    language) and the (groups, operations) committed."""

    def in_language(language, fn):
        def run():
            translation.activate(language)
            return fn()

        return run

    return group_behind_a_held_operation(
        {label: in_language(language, fn) for label, (language, fn) in calls.items()}
    )


def test_a_group_of_counter_operations(
    settings, staff, till, make_member, open_account, usd_product
):
    from mupaka.savings.models import SavingsAccount, SavingsTransaction
    from mupaka.savings.services import savings_deposit, savings_transfer, savings_withdraw
    from mupaka.tellers.selectors import till_balances

    settings.GROUP_COMMIT = True
    teller = staff["teller"]
    amina, neema = make_member(), make_member()
    a, n = open_account(amina, usd_product), open_account(neema, usd_product)
    savings_deposit(actor=teller, account=a, amount=m("100"), idempotency_key=key())
    savings_deposit(actor=teller, account=n, amount=m("40"), idempotency_key=key())
    till_before = till_balances(till)["USD"]
    rows_before = SavingsTransaction.objects.count()

    def op(fn, **kwargs):
        return lambda: fn(actor=teller, idempotency_key=key(), **kwargs)

    results, (groups, operations) = _queue_behind_a_held_operation(
        {
            "deposit": ("fr", op(savings_deposit, account=a, amount=m("20"))),
            "too_much_fr": ("fr", op(savings_withdraw, account=n, amount=m("500"))),
            "too_much_en": ("en", op(savings_withdraw, account=n, amount=m("500"))),
            "withdrawal": ("en", op(savings_withdraw, account=a, amount=m("30"))),
            "transfer": (
                "fr",
                op(savings_transfer, from_account=a, to_account=n, amount=m("10")),
            ),
        }
    )

    assert (groups, operations) == (2, 6)  # the held one, then the five together
    for label in ("deposit", "withdrawal", "transfer"):
        assert results[label][0] == "ok", results[label]
    for label in ("too_much_fr", "too_much_en"):
        assert results[label][0] == "error" and results[label][1].code == "insufficient_available"
    assert str(results["too_much_fr"][1].message).startswith("Disponible insuffisant")
    assert str(results["too_much_en"][1].message).startswith("Not enough available")
    # 100 + 20 − 30 − 0.50 (fee) − 10 = 79.50 and 40 + 10 = 50
    assert results["withdrawal"][1].balance_minor == 100_00 + 20_00 - 30_00 - 50
    assert SavingsAccount.objects.get(pk=a.pk).balance_minor == 79_50
    assert SavingsAccount.objects.get(pk=n.pk).balance_minor == 50_00
    # the deposit, the withdrawal and its fee, the transfer's two sides
    assert SavingsTransaction.objects.count() == rows_before + 5
    assert till_balances(till)["USD"] == till_before + 20_00 - 30_00
    verify_green()


def test_many_tellers_at_once_lose_nothing(
    settings, staff, till, make_member, open_account, usd_product
):
    """Six tellers each making ten deposits and ten withdrawals as fast as they can."""
    from mupaka.core.models import User
    from mupaka.savings.models import SavingsAccount
    from mupaka.savings.services import savings_deposit, savings_withdraw
    from mupaka.tellers.testing import open_till_with_cash

    settings.GROUP_COMMIT = True
    tellers = [staff["teller"]]
    for i in range(5):
        extra = User.objects.create(
            username=f"teller-{i}", role="teller", branch=staff["teller"].branch
        )
        open_till_with_cash(teller=extra, manager=staff["manager"], floats=[m("500")])
        tellers.append(extra)
    accounts = [open_account(make_member(), usd_product) for _ in range(3)]
    start = threading.Barrier(len(tellers))
    errors: list[BaseException] = []

    def work(teller) -> None:
        try:
            start.wait()
            for i in range(10):
                acct = accounts[i % 3]
                savings_deposit(actor=teller, account=acct, amount=m("7"), idempotency_key=key())
                savings_withdraw(actor=teller, account=acct, amount=m("1"), idempotency_key=key())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(t,)) for t in tellers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    total = sum(SavingsAccount.objects.get(pk=acct.pk).balance_minor for acct in accounts)
    # 60 deposits of 7, 60 withdrawals of 1 plus the fee of 0.50
    assert total == 60 * 7_00 - 60 * (1_00 + 50)
    verify_green()
