"""Two tellers at the same moment, on real parallel connections: withdrawing from the
same account (``race``), and serving a tier-0 member at two of her accounts, once with
deposits against her maximum balance and once with withdrawals against her daily limit
(``tier_race``). Used in-process on PostgreSQL (``test_concurrency.py``) and in a child
process with a file database on SQLite (``python -m mupaka.savings.tests.race [tier]``),
where the test database is in memory and cannot take a second connection's writer."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import threading
import uuid


def setup_world(*, tier0: bool = False):
    """Institution, two tellers with open tills, an account holding USD 100 (minimum
    balance USD 5, withdrawal fee USD 0.50). Returns (tellers, account id). ``tier0``:
    the member has no identity document (KYC tier 0)."""
    from mupaka.core.models import Branch, Institution, User
    from mupaka.core.money import Money
    from mupaka.ledger.services import chart_load
    from mupaka.members.services import member_register, member_status_change
    from mupaka.savings.services import (
        ProductData,
        savings_account_open,
        savings_deposit,
        savings_product_create,
    )
    from mupaka.tellers.testing import open_till_with_cash

    inst = Institution.objects.order_by("id").first()
    if inst is None:
        inst = Institution.objects.create(
            name="Race",
            country="CD",
            base_currency="USD",
            accepted_currencies=["USD", "CDF"],
            regulatory_preset="drc",
            business_date=dt.date(2026, 11, 27),
        )
    branch = Branch.objects.filter(code="RACE").first() or Branch.objects.create(
        institution=inst, code="RACE", name="Race", country="CD"
    )

    def user(name, role):
        return User.objects.create(
            username=f"{name}-{uuid.uuid4().hex[:6]}", role=role, branch=branch
        )

    manager, officer = user("manager", "manager"), user("officer", "officer")
    tellers = [user("teller-a", "teller"), user("teller-b", "teller")]
    chart_load(actor=None, preset="drc")
    product = savings_product_create(
        actor=manager,
        data=ProductData(
            code=f"R-{uuid.uuid4().hex[:6]}",
            name="Race",
            kind="voluntary",
            currency="USD",
            min_balance="5",
            withdrawal_fee="0.50",
        ),
    )
    member = member_register(
        actor=officer,
        branch=branch,
        first_name="Riziki",
        last_name="Race",
        sex="F",
        birth_date=dt.date(1990, 5, 5),
        phone=f"+24397{uuid.uuid4().int % 10**7:07d}",
        id_type="none" if tier0 else "voter_card",
        id_number="" if tier0 else f"SK-{uuid.uuid4().hex[:8]}",
    )
    member = member_status_change(actor=officer, member=member, status="active")
    account = savings_account_open(actor=officer, member=member, product=product)
    for teller in tellers:
        open_till_with_cash(teller=teller, manager=manager, floats=[Money.of("500", "USD")])
    savings_deposit(
        actor=tellers[0],
        account=account,
        amount=Money.of("100", "USD"),
        idempotency_key=str(uuid.uuid4()),
    )
    return tellers, account.pk


def at_once(calls) -> list[str]:
    """Run the ``calls`` (no arguments each) at the same moment, one thread (and so one
    database connection) each; return their outcomes sorted: "paid" or the refusal code."""
    from django.db import connections

    from mupaka.core.exceptions import MupakaError

    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(call):
        try:
            barrier.wait()
            call()
            result = "paid"
        except MupakaError as exc:
            result = exc.code
        except Exception as exc:  # noqa: BLE001 - reported to the test
            result = f"crash: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=work, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sorted(outcomes)


def _failed_checks() -> list[str]:
    from mupaka.ledger.verify import run_checks

    return [r.name for r in run_checks() if not r.ok]


def race(tellers, account_id: int, amount: str = "60") -> dict:
    """Both tellers withdraw ``amount`` at once; return what happened."""
    from django.db import connections

    from mupaka.core.money import Money
    from mupaka.savings.models import SavingsAccount
    from mupaka.savings.services import savings_withdraw

    def withdraw(teller):
        return lambda: savings_withdraw(
            actor=teller,
            account=account_id,
            amount=Money.of(amount, "USD"),
            idempotency_key=str(uuid.uuid4()),
        )

    outcomes = at_once([withdraw(t) for t in tellers])
    acct = SavingsAccount.objects.get(pk=account_id)
    return {
        "outcomes": outcomes,
        "balance_minor": acct.balance_minor,
        "available_minor": acct.available_minor,
        "failed_checks": _failed_checks(),
        "vendor": connections["default"].vendor,
    }


def tier_race() -> dict:
    """A tier-0 member (no identity document; limits USD 300 held, USD 50 withdrawn a
    day) with USD 150 and USD 100 in two accounts. Two tellers deposit USD 40 each, one
    into each account, at once (290 fits, 330 does not); then withdraw USD 30 each, one
    from each account, at once (30 fits in the day's 50, 60 does not)."""
    from django.db import connections

    from mupaka.core.models import User
    from mupaka.core.money import Money
    from mupaka.savings.models import SavingsAccount, SavingsTransaction
    from mupaka.savings.services import (
        kyc_limit_set,
        savings_account_open,
        savings_deposit,
        savings_withdraw,
    )

    tellers, account_id = setup_world(tier0=True)
    a = SavingsAccount.objects.select_related("member", "product").get(pk=account_id)
    branch = tellers[0].branch
    manager = User.objects.filter(role="manager", branch=branch).first()
    officer = User.objects.filter(role="officer", branch=branch).first()
    kyc_limit_set(
        actor=manager, tier=0, currency="USD", max_balance="300", max_withdrawal_per_day="50"
    )
    b = savings_account_open(actor=officer, member=a.member, product=a.product)
    for acct, amount in ((a, "50"), (b, "100")):
        savings_deposit(
            actor=tellers[0],
            account=acct,
            amount=Money.of(amount, "USD"),
            idempotency_key=str(uuid.uuid4()),
        )

    def total_minor() -> int:
        return sum(
            SavingsAccount.objects.filter(member=a.member).values_list("balance_minor", flat=True)
        )

    def call(fn, teller, acct):
        return lambda: fn(
            actor=teller,
            account=acct.pk,
            amount=Money.of("40" if fn is savings_deposit else "30", "USD"),
            idempotency_key=str(uuid.uuid4()),
        )

    deposits = at_once([call(savings_deposit, tellers[0], a), call(savings_deposit, tellers[1], b)])
    after_deposits = total_minor()
    withdrawals = at_once(
        [call(savings_withdraw, tellers[0], a), call(savings_withdraw, tellers[1], b)]
    )
    withdrawn = SavingsTransaction.objects.filter(
        account__member=a.member, kind="withdrawal", direction="out"
    ).values_list("amount_minor", flat=True)
    return {
        "deposits": deposits,
        "total_after_deposits_minor": after_deposits,
        "withdrawals": withdrawals,
        "withdrawn_today_minor": sum(withdrawn),
        "total_after_withdrawals_minor": total_minor(),
        "failed_checks": _failed_checks(),
        "vendor": connections["default"].vendor,
    }


def main() -> int:
    """Child process: a fresh SQLite file database, migrated, then the race."""
    folder = tempfile.mkdtemp(prefix="mupaka-race-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/race.sqlite3"
    os.environ["MUPAKA_VAR_DIR"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mupaka.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if sys.argv[1:] == ["tier"]:
        print(json.dumps(tier_race()), flush=True)
        return 0
    tellers, account_id = setup_world()
    print(json.dumps(race(tellers, account_id)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
