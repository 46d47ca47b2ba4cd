"""Two tellers withdrawing from the same account at the same moment, on real parallel
connections: used in-process on PostgreSQL (``test_concurrency.py``) and in a child
process with a file database on SQLite (``python -m mupaka.savings.tests.race``), where
the test database is in memory and cannot take a second connection's writer."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import threading
import uuid


def setup_world():
    """Institution, two tellers with open tills, an account holding USD 100 (minimum
    balance USD 5, withdrawal fee USD 0.50). Returns (tellers, account id)."""
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
        id_type="voter_card",
        id_number=f"SK-{uuid.uuid4().hex[:8]}",
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


def race(tellers, account_id: int, amount: str = "60") -> dict:
    """Both tellers withdraw ``amount`` at once; return what happened."""
    from django.db import connections

    from mupaka.core.exceptions import MupakaError
    from mupaka.core.money import Money
    from mupaka.savings.models import SavingsAccount
    from mupaka.savings.services import savings_withdraw

    barrier = threading.Barrier(len(tellers))
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(teller):
        try:
            barrier.wait()
            savings_withdraw(
                actor=teller,
                account=account_id,
                amount=Money.of(amount, "USD"),
                idempotency_key=str(uuid.uuid4()),
            )
            result = "paid"
        except MupakaError as exc:
            result = exc.code
        except Exception as exc:  # noqa: BLE001 - reported to the test
            result = f"crash: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=work, args=(t,)) for t in tellers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    acct = SavingsAccount.objects.get(pk=account_id)
    from mupaka.ledger.verify import run_checks

    return {
        "outcomes": sorted(outcomes),
        "balance_minor": acct.balance_minor,
        "available_minor": acct.available_minor,
        "failed_checks": [r.name for r in run_checks() if not r.ok],
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
    tellers, account_id = setup_world()
    print(json.dumps(race(tellers, account_id)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
