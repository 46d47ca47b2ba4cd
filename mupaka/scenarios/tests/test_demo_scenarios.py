"""The demo (``mupaka demo``) leaves each scenario playable, as README.md and SCENARIOS.md
say: Furaha pending for the counter (1), Umoja Ruzizi's group loan with a member late
today (2), the teller's till open on the demo date with scenario 3's float, the day's
rates and a loan whose USD 45.83 instalment is due (3), a month end to close (4) and the
loan that went wrong and was put right (5). Each is played through the JSON API with the
demo's own users, and ``mupaka verify`` stays green."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from .conftest import Desk, balance, count_of, verify_green

pytestmark = pytest.mark.django_db

DEMO_DATE = dt.date(2026, 11, 27)


@pytest.fixture
def demo(api_client_for):
    """The demo built by its command, and an API desk for each demo user."""
    from django.core.management import call_command

    from mupaka.core.models import User

    out = io.StringIO()
    call_command("demo", stdout=out)
    desks = {}
    for user in User.objects.filter(is_active=True):
        client = api_client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        desks[user.username] = Desk(user, client)
    return {"desks": desks, "out": out.getvalue()}


def test_the_demo_plays_every_scenario(demo):
    """One demo for the five stories (it takes about 10 s to build on SQLite, 2 minutes on
    PostgreSQL): the counter day first (1, 3), then 2 and 5 as the demo left them, then
    the month end (4)."""
    _what_the_demo_holds()
    _counter_day(demo["desks"], demo["out"])
    _group_loan_and_the_loan_put_right(demo["desks"])
    _month_end(demo["desks"])


def _what_the_demo_holds():
    """Issue 5's demo content: savings accounts with a year of history (interest posted at
    month ends, some accounts gone dormant), member shares, past tills counted and closed
    (one with a shortfall approved), exchanges, and the day's rates."""
    from django.db.models import Max, Min

    from mupaka.savings.models import AccountStatus, SavingsAccount, SavingsTransaction
    from mupaka.shares.models import ShareHolding
    from mupaka.tellers.models import Exchange, ExchangeRate, Till, TillStatus

    history = SavingsTransaction.objects.filter(kind="deposit").aggregate(
        first=Min("business_date"), last=Max("business_date")
    )
    assert (DEMO_DATE - history["first"]).days >= 300
    assert history["last"] < DEMO_DATE  # today's counter is left to the teller
    assert SavingsTransaction.objects.filter(kind="withdrawal").count() > 50
    interest_days = set(
        SavingsTransaction.objects.filter(kind="interest").values_list("business_date", flat=True)
    )
    month_ends = {day for day in interest_days if (day + dt.timedelta(days=1)).day == 1}
    assert len(month_ends) >= 6  # posted monthly (term deposits pay at maturity too)
    statuses = set(SavingsAccount.objects.values_list("status", flat=True))
    assert {AccountStatus.ACTIVE, AccountStatus.DORMANT} <= statuses
    assert {"USD", "CDF", "RWF"} <= set(SavingsAccount.objects.values_list("currency", flat=True))
    assert ShareHolding.objects.filter(shares__gt=0).count() >= 10
    closed = Till.objects.filter(status=TillStatus.CLOSED, business_date__lt=DEMO_DATE)
    assert closed.count() >= 3
    assert Exchange.objects.filter(business_date__lt=DEMO_DATE).count() >= 10
    assert ExchangeRate.objects.filter(rate_date=DEMO_DATE).exists()
    assert verify_green()


def _counter_day(desks, out):
    teller, officer, manager = desks["teller"], desks["officer"], desks["manager"]
    assert "Scenario 1: BKV-000001 Furaha M'Bisimwa is pending" in out
    assert teller.get("me")["business_date"] == DEMO_DATE.isoformat()

    # 3. The teller's till is open today with USD 2,000, CDF 3,000,000, RWF 200,000.
    (till,) = teller.get("tills", status="open")["results"]
    assert till["teller"] == "teller" and till["business_date"] == DEMO_DATE.isoformat()
    held = {cur: amount for cur, amount in till["balances"].items() if Decimal(amount)}
    assert held == {"CDF": "3000000.00", "RWF": "200000", "USD": "2000.00"}
    pairs = {r["pair"] for r in teller.get("exchange-rates")["results"]}
    assert "USD/CDF" in pairs

    # 1. Furaha is pending; her sister shares her phone; she joins at the counter.
    (furaha,) = teller.get("members", search="BKV-000001")["results"]
    assert (furaha["full_name"], furaha["status"]) == ("Furaha M'Bisimwa", "pending")
    same_phone = teller.get("members", search="+243 97 000 0001")["results"]
    assert {m["number"] for m in same_phone} == {"BKV-000001", "BKV-000002"}
    detail = officer.get(f"members/{furaha['id']}")
    assert detail["language"] == "sw"
    assert "Ruzizi I / Rusizi I" in [p["name"] for p in detail["trader_profile"]["border_posts"]]
    assert teller.get(f"members/{furaha['id']}/shares")["entry_fee_paid_date"] is None
    paid = teller.post(f"members/{furaha['id']}/shares", {"shares": 2}, key=True)
    assert (paid["entry_fee"], paid["shares_amount"], paid["member_activated"]) == (
        "5.00",
        "20.00",
        True,
    )
    products = {
        p["currency"]: p["id"]
        for p in teller.get("savings-products")
        if p["kind"] == "voluntary" and p["is_active"]
    }
    for cur, amount in (("USD", "20"), ("CDF", "50000")):
        account = teller.post(
            "savings-accounts", {"member": furaha["id"], "product": products[cur]}
        )
        moved = teller.post(
            f"savings-accounts/{account['id']}/deposits",
            {"amount": amount, "currency": cur},
            key=True,
        )
        assert Decimal(moved["balance"]) == Decimal(amount)

    # 3. A loan whose USD 45.83 instalment is due today takes a partial USD 45.50.
    due = [
        loan
        for loan in _active_loans(teller)
        if loan["due_today"] == "45.83" and loan["days_past_due"] == 0
    ]
    assert due, "the demo has no loan with a USD 45.83 instalment due today"
    loan = due[0]
    tx = teller.post(f"loans/{loan['id']}/repayments", {"amount": "45.50"}, key=True)
    assert (tx["penalties"], tx["fees"]) == ("0.00", "0.00")
    assert Decimal(tx["interest"]) + Decimal(tx["principal"]) == Decimal("45.50")
    assert teller.get(f"loans/{loan['id']}")["due_today"] == "0.33"

    # The RWF 12,000 deposit into Zawadi's RWF account, the USD 100 exchange.
    zawadi = teller.get("members", search="Zawadi Cirhuza")["results"][0]
    (rwf,) = [
        a
        for a in teller.get("savings-accounts", member=zawadi["id"])["results"]
        if a["currency"] == "RWF"
    ]
    before = Decimal(rwf["balance"])
    moved = teller.post(
        f"savings-accounts/{rwf['id']}/deposits", {"amount": "12000", "currency": "RWF"}, key=True
    )
    assert Decimal(moved["balance"]) == before + 12000
    exchange = teller.post(
        "exchanges",
        {"currency": "USD", "amount": "100", "currency_out": "CDF", "customer_name": "Passante"},
        key=True,
    )
    assert exchange["paid"]["currency"] == "CDF"
    assert Decimal(exchange["paid"]["amount"]) % 50 == 0  # the smallest CDF note

    # Closing FC 500 short; the manager approves with a reason.
    till = teller.get(f"tills/{till['id']}")
    teller.post(
        f"tills/{till['id']}/close",
        {"counts": count_of(till["balances"], {"CDF": "500"})},
        key=True,
        status=200,
    )
    closed = manager.post(
        f"tills/{till['id']}/close/confirm",
        {"reason": "Billet de 500 FC manquant"},
        key=True,
        status=200,
    )
    assert closed["status"] == "closed" and closed["count"]["differences"]["CDF"] == "-500.00"
    verify_green()


def _active_loans(desk) -> list[dict]:
    listed = desk.get("loans", status="active", limit=500)["results"]
    return [desk.get(f"loans/{row['id']}") for row in listed if row["next_due_date"]]


def _group_loan_and_the_loan_put_right(desks):
    from mupaka.loans.models import GroupLoan, Loan, LoanTransaction

    officer, accountant = desks["officer"], desks["accountant"]

    # 2. Umoja Ruzizi: USD 1,000 asked, 900 approved (Bahati reduced), one member late
    # today: the arrears list shows her phone and the leader's.
    group_loan = GroupLoan.objects.get(group__name="Umoja Ruzizi")
    body = officer.get(f"group-loans/{group_loan.pk}")
    assert (body["requested_total"], body["approved_total"], body["status"]) == (
        "1000.00",
        "900.00",
        "active",
    )
    approved = {s["member"]["name"].split()[0]: s["approved_principal"] for s in body["shares"]}
    assert approved["Bahati"] == "100.00"
    late = [r for r in officer.get("loans/arrears")["results"] if r["group"]]
    assert late and all(r["group"]["name"] == "Umoja Ruzizi" for r in late)
    assert late[0]["member"]["phone"] and late[0]["group"]["leader_phone"]

    # 5. The loan that went wrong: rescheduled once, a reversal, written off, USD 30 back.
    (written_off,) = Loan.objects.filter(status="written_off", restructured=True)
    loan = officer.get(f"loans/{written_off.pk}")
    assert (loan["status"], loan["restructured"]) == ("written_off", True)
    reversed_tx = LoanTransaction.objects.get(kind="reversal")
    day = reversed_tx.on_date.isoformat()
    entries = accountant.get("journal-entries", account="3200-USD", **{"from": day, "to": day})
    by_number = {e["number"]: e for e in entries["results"]}
    reversals = [e for e in by_number.values() if e["reversal_of"]]
    assert len(reversals) == 1 and reversals[0]["reversal_of"] in by_number
    assert balance(accountant, "7800", "USD") == Decimal("-30.00")  # recoveries (income)
    verify_green()


def _month_end(desks):
    from django.core.management import call_command

    accountant = desks["accountant"]
    # 4. Month end: end of day up to 30 November, PAR30 by branch and by border post from
    # the snapshot, the month closed, nothing dated in it afterwards.
    call_command("cob", until="2026-11-30", quiet=True, stdout=io.StringIO())
    month_end = "2026-11-30"
    for by in ("branch", "border_post"):
        report = accountant.get("reports/portfolio", date=month_end, by=by, currency="USD")
        assert report["source"] == "snapshot" and report["snapshot_date"] == month_end
        assert report["currencies"][0]["breakdown"]
    closed = accountant.post("periods", {"year": 2026, "month": 11})
    assert closed["closed_through"] == month_end
    late_entry = accountant.post(
        "journal-entries",
        {
            "business_date": month_end,
            "narrative": "Écriture oubliée",
            "lines": [
                {"account": "6300-USD", "debit": "1.00"},
                {"account": "5200-USD", "credit": "1.00"},
            ],
        },
        key=True,
        status=400,
    )
    assert late_entry["code"] == "period_closed"
    verify_green()
