"""Scenarios 1 to 5 of SCENARIOS.md told through the JSON API only: token clients per
role, real ``Idempotency-Key`` headers, the business date moved by end of day
(``mupaka cob --until``), the exact numbers of the stories asserted, and each story
ending with ``mupaka verify`` green.

Set-up that has no endpoint (the chart preset, the provisioning bands and the share
product: configuration made once on a page or by a command) is done in conftest.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from .conftest import balance, count_of, new_key, verify_green

pytestmark = pytest.mark.django_db

D = Decimal


def member_body(first: str, last: str, phone: str, **extra) -> dict:
    body = {
        "first_name": first,
        "last_name": last,
        "sex": "F",
        "birth_date": "1990-05-01",
        "phone": phone,
        "language": "sw",
        "id_type": "voter_card",
        "id_number": f"SK-{first}-{last}",
    }
    body.update(extra)
    return body


def register_active(desks, first: str, last: str, phone: str, *, at: str = "", **extra) -> dict:
    """A member registered by the officer and made active by her entry fee and two shares
    paid at the teller's till (the teller needs an open till). ``at="-gom"``: in GOM."""
    member = desks[f"officer{at}"].post("members", member_body(first, last, phone, **extra))
    paid = desks[f"teller{at}"].post(f"members/{member['id']}/shares", {"shares": 2}, key=True)
    assert paid["member_activated"] is True
    return desks[f"officer{at}"].get(f"members/{member['id']}")


# --- 1. Furaha joins the cooperative -----------------------------------------------------------
def test_scenario_1_furaha_joins(coop, desks, open_till, django_capture_on_commit_callbacks):
    from mupaka.savings import hooks as savings_hooks
    from mupaka.shares import hooks as shares_hooks

    officer, teller = desks["officer"], desks["teller"]
    posts = {p["name"]: p["id"] for p in officer.get("border-posts")}
    ruzizi = posts["Ruzizi I / Rusizi I"]

    # Her sister registered first, with the phone they share.
    sister = officer.post("members", member_body("Neema", "M'Bisimwa", "+243 97 000 0001"))

    furaha_body = member_body(
        "Furaha",
        "M'Bisimwa",
        "+243 97 000 0001",
        birth_date="1992-03-14",
        id_number="SK-0457-1122",
        province="Sud-Kivu",
        town="Bukavu",
        trader_profile={
            "border_posts": [ruzizi],
            "goods_traded": "tomates, farine de manioc (achetées à Rusizi)",
            "crossings_per_week": 21,
            "currencies": ["USD", "CDF", "RWF"],
            "daily_turnover": "60",
            "daily_turnover_currency": "USD",
        },
    )
    warned = officer.post("members", furaha_body, status=409)
    assert [m["number"] for m in warned["matches"]] == [sister["number"]]
    assert "phone" in warned["matches"][0]["reasons"]

    furaha = officer.post(
        "members", {**furaha_body, "duplicate_reason": "Sa sœur Neema utilise le même téléphone."}
    )
    assert furaha["status"] == "pending"
    assert furaha["phone"] == "+243970000001"
    assert furaha["language"] == "sw"
    assert furaha["kyc_tier"] == 1  # a voter card
    assert furaha["duplicate_reason"].startswith("Sa sœur Neema")
    profile = furaha["trader_profile"]
    assert [p["name"] for p in profile["border_posts"]] == ["Ruzizi I / Rusizi I"]
    assert profile["crossings_per_week"] == 21 and profile["daily_turnover"] == "60.00"

    # At the counter: the entry fee (USD 5) and 2 shares (USD 10 each); pressed twice.
    till = open_till()
    listened: list[tuple] = []

    def on_shares(**event):
        listened.append(("shares", event))

    def on_savings(ids):
        listened.append(("savings", ids))

    shares_hooks.register_listener(on_shares)
    savings_hooks.register_listener(on_savings)
    try:
        key = new_key()
        with django_capture_on_commit_callbacks(execute=True):
            paid = teller.post(f"members/{furaha['id']}/shares", {"shares": 2}, key=key)
        again = teller.post(f"members/{furaha['id']}/shares", {"shares": 2}, key=key, status=200)
        assert paid["entry_fee"] == "5.00" and paid["shares_amount"] == "20.00"
        assert paid["total"] == "25.00" and paid["shares_held"] == 2
        assert paid["member_activated"] is True
        assert again["replayed"] is True and again["entry"] == paid["entry"]
        assert officer.get(f"members/{furaha['id']}")["status"] == "active"
        holding = teller.get(f"members/{furaha['id']}/shares")
        assert holding["shares"] == 2 and holding["paid"] == "20.00"

        # Her USD account with USD 20 and her CDF account with FC 50,000.
        accounts = {
            cur: teller.post(
                "savings-accounts", {"member": furaha["id"], "product": coop["savings"][cur]["id"]}
            )
            for cur in ("USD", "CDF")
        }
        with django_capture_on_commit_callbacks(execute=True):
            usd = teller.post(
                f"savings-accounts/{accounts['USD']['id']}/deposits",
                {"amount": "20", "currency": "USD"},
                key=True,
            )
            cdf = teller.post(
                f"savings-accounts/{accounts['CDF']['id']}/deposits",
                {"amount": "50000", "currency": "CDF"},
                key=True,
            )
    finally:
        shares_hooks.unregister_listener(on_shares)
        savings_hooks.unregister_listener(on_savings)
    assert usd["balance"] == "20.00" and cdf["balance"] == "50000.00"
    # The SMS receipt (in Swahili) is the channels issue's: the hooks it will listen on
    # are called after commit with her purchase and each deposit, once.
    assert listened == [
        ("shares", {"member_id": furaha["id"], "holding_id": paid["holding"], "joined": True}),
        ("savings", [usd["transaction"]]),
        ("savings", [cdf["transaction"]]),
    ]

    till = teller.get(f"tills/{till['id']}")
    assert till["balances"] == {"CDF": "3050000.00", "RWF": "200000", "USD": "2045.00"}
    manager = desks["manager"]
    assert balance(manager, "7100", "USD") == D("-5.00")  # entry fee income
    assert balance(manager, "1000", "USD") == D("-20.00")  # member shares (equity)
    assert balance(manager, "3300", "USD") == D("-20.00")
    assert balance(manager, "3300", "CDF") == D("-50000.00")
    verify_green()


# --- 2. A solidarity group loan for five traders --------------------------------------------------
UMOJA = [  # first name, phone, daily sales / purchases (USD), trips a week
    ("Zawadi", "+243 97 000 0011", "55", "38", 6),
    ("Neema", "+243 97 000 0012", "40", "27", 4),
    ("Mapendo", "+243 97 000 0013", "45", "30", 6),
    ("Bahati", "+243 97 000 0014", "25", "19", 3),
    ("Riziki", "+243 97 000 0015", "50", "34", 5),
]


@pytest.fixture
def group_product(coop, desks):
    """Scenario 2's product: USD, weekly, flat 2 % a month (24 % a year), disbursement fee
    2 % deducted, guarantee savings 10 %, USD 50 to 500 per member, 4 to 24 weeks."""
    return desks["manager"].post(
        "loan-products",
        {
            "code": "SOLIDAIRE-USD",
            "name": "Crédit solidaire (USD, hebdomadaire)",
            "currency": "USD",
            "min_principal": "50",
            "max_principal": "500",
            "min_installments": 4,
            "max_installments": 24,
            "default_installments": 12,
            "frequency": "weeks",
            "interest_method": "flat",
            "min_rate": "24",
            "max_rate": "24",
            "disbursement_fee": "percent",
            "disbursement_fee_amount": "2",
            "disbursement_fee_deducted": True,
            "guarantee_savings_percent": "10",
            "for_individuals": False,
            "for_groups": True,
        },
    )


def test_scenario_2_umoja_ruzizi_group_loan(coop, desks, group_product, open_till, close_till, cob):
    officer, committee, teller, manager = (
        desks["officer"],
        desks["committee"],
        desks["teller"],
        desks["manager"],
    )
    till = open_till()
    members = {first: register_active(desks, first, "Cirhuza", phone) for first, phone, *_ in UMOJA}
    ids = [m["id"] for m in members.values()]
    group = officer.post(
        "groups",
        {
            "name": "Umoja Ruzizi",
            "member_ids": ids,
            "leader_id": members["Zawadi"]["id"],
            "secretary_id": members["Neema"]["id"],
            "meeting_day": 1,
            "meeting_place": "Marché de Kadutu",
        },
    )
    # USD 1,000 together, USD 200 each, 12 weekly instalments, each trader's cash flow.
    application = officer.post(
        "group-loans",
        {
            "group": group["id"],
            "product": group_product["id"],
            "installments": 12,
            "purpose": "Stock de tomates et de farine de manioc",
            "shares": [
                {
                    "member": members[first]["id"],
                    "principal": "200",
                    "cash_flow": {
                        "daily_sales": sales,
                        "daily_purchases": purchases,
                        "trips_per_week": trips,
                        "cost_per_trip": "1.50",
                        "household_costs": "40",
                    },
                }
                for first, _phone, sales, purchases, trips in UMOJA
            ],
        },
    )
    assert application["requested_total"] == "1000.00"
    shares = {s["member"]["name"].split()[0]: s for s in application["shares"]}
    assert {s["requested_principal"] for s in shares.values()} == {"200.00"}

    # The disclosure: the schedule (USD 16.67 + 0.92 a week, the last 16.63 + 0.96), the
    # total cost and the APR/EIR of what she really receives and pays.
    schedule = officer.get(f"loans/{shares['Zawadi']['id']}/schedule")
    rows = schedule["installments"]
    assert len(rows) == 12 and schedule["provisional"] is True
    assert {(r["principal"], r["interest"], r["total"]) for r in rows[:11]} == {
        ("16.67", "0.92", "17.59")
    }
    assert (rows[11]["principal"], rows[11]["interest"], rows[11]["total"]) == (
        "16.63",
        "0.96",
        "17.59",
    )
    zawadi = officer.get(f"loans/{shares['Zawadi']['id']}")
    assert zawadi["cost"] == {
        "principal": "200.00",
        "total_interest": "11.08",
        "fees": "4.00",
        "guarantee": "20.00",
        "net_disbursed": "176.00",
        "total_to_repay": "211.08",
        "total_cost": "15.08",
    }
    assert (zawadi["apr"], zawadi["eir"]) == ("73.51", "107.49")

    # The committee (not the officer) approves USD 900: Bahati's share reduced to 100.
    bahati = shares["Bahati"]["id"]
    refused = officer.post(f"group-loans/{application['id']}/approve", {"approved": {}}, status=403)
    assert refused["code"] == "permission_denied"
    approved = committee.post(
        f"group-loans/{application['id']}/approve",
        {"approved": {str(bahati): "100"}, "note": "Capacité de Bahati limitée"},
        status=200,
    )
    assert approved["status"] == "approved" and approved["approved_total"] == "900.00"
    assert {
        s["member"]["name"].split()[0]: s["approved_principal"] for s in approved["shares"]
    } == {
        "Zawadi": "200.00",
        "Neema": "200.00",
        "Mapendo": "200.00",
        "Bahati": "100.00",
        "Riziki": "200.00",
    }

    # The teller disburses in cash: the 2 % fee and the 10 % guarantee taken at once.
    cash_before = D(teller.get(f"tills/{till['id']}")["balances"]["USD"])
    key = new_key()
    paid_out = teller.post(f"group-loans/{application['id']}/disburse", key=key)
    again = teller.post(f"group-loans/{application['id']}/disburse", key=key)
    assert [t["id"] for t in again] == [t["id"] for t in paid_out]
    by_loan = {t["loan"]: t for t in paid_out}
    assert (by_loan[bahati]["principal"], by_loan[bahati]["fees"]) == ("100.00", "2.00")
    assert by_loan[bahati]["guarantee"] == "10.00"
    zawadi_tx = by_loan[shares["Zawadi"]["id"]]
    assert (zawadi_tx["principal"], zawadi_tx["fees"], zawadi_tx["guarantee"]) == (
        "200.00",
        "4.00",
        "20.00",
    )
    cash_after = D(teller.get(f"tills/{till['id']}")["balances"]["USD"])
    assert cash_before - cash_after == D("792.00")  # 900 - 18 fee - 90 guarantee
    assert balance(manager, "7020", "USD") == D("-18.00")  # disbursement fees
    assert balance(manager, "3320", "USD") == D("-90.00")  # guarantee savings, blocked
    (guarantee,) = teller.get("savings-accounts", member=members["Bahati"]["id"])["results"]
    assert guarantee["kind"] == "guarantee"
    assert (guarantee["balance"], guarantee["blocked"]) == ("10.00", "10.00")
    assert guarantee["available_balance"] == "0.00"
    close_till(till["id"])
    verify_green()

    # A week later (Monday 9 November) four pay; Mapendo does not.
    assert cob(dt.date(2026, 11, 7)) == dt.date(2026, 11, 9)
    till = open_till()
    for first in ("Zawadi", "Neema", "Riziki"):
        tx = teller.post(f"loans/{shares[first]['id']}/repayments", {"amount": "17.59"}, key=True)
        assert (tx["principal"], tx["interest"]) == ("16.67", "0.92")
    assert teller.get(f"loans/{bahati}")["due_today"] == "8.79"  # 8.33 + 0.46
    teller.post(f"loans/{bahati}/repayments", {"amount": "8.79"}, key=True)
    close_till(till["id"])

    # Two weeks after the disbursement Mapendo is 7 days late: the arrears list shows her
    # with her phone and the group leader's.
    assert cob(dt.date(2026, 11, 14)) == dt.date(2026, 11, 16)
    late = officer.get("loans/arrears")["results"]
    assert [(r["member"]["name"], r["days_past_due"], r["overdue"]) for r in late] == [
        ("Mapendo Cirhuza", 7, "17.59")
    ]
    assert late[0]["member"]["phone"] == "+243970000013"
    assert late[0]["group"] == {
        "id": group["id"],
        "name": "Umoja Ruzizi",
        "leader": "Zawadi Cirhuza",
        "leader_phone": "+243970000011",
    }

    # At the Monday meeting the group leader covers her late instalment and this week's.
    till = open_till()
    mapendo = shares["Mapendo"]["id"]
    owed = officer.get(f"loans/{mapendo}")
    assert (owed["days_past_due"], owed["overdue"], owed["due_today"]) == (7, "17.59", "35.18")
    tx = teller.post(
        f"loans/{mapendo}/repayments",
        {"amount": "35.18", "paid_by": members["Zawadi"]["id"], "memo": "Payé par Zawadi"},
        key=True,
    )
    assert (tx["principal"], tx["interest"]) == ("33.34", "1.84")
    after = officer.get(f"loans/{mapendo}")
    assert (after["days_past_due"], after["overdue"], after["due_today"]) == (0, "0.00", "0.00")
    assert officer.get("loans/arrears")["results"] == []
    close_till(till["id"])
    verify_green()


# --- 3. A day at the counter in three currencies ------------------------------------------------
@pytest.fixture
def trader_product(coop, desks):
    """Monthly flat loan with an instalment fee: USD 500 over 15 months at 2.4 % a month
    flat and USD 0.50 a month in fees is USD 33.33 + 12.00 + 0.50 = USD 45.83 a month."""
    return desks["manager"].post(
        "loan-products",
        {
            "code": "COMMERCE-USD",
            "name": "Crédit commerçante (USD, mensuel, flat)",
            "currency": "USD",
            "min_principal": "100",
            "max_principal": "2000",
            "min_installments": 3,
            "max_installments": 18,
            "frequency": "months",
            "interest_method": "flat",
            "min_rate": "28.8",
            "max_rate": "36",
            "installment_fee": "flat",
            "installment_fee_amount": "0.50",
            "penalty": "flat",
            "penalty_amount": "2",
            "penalty_tolerance_days": 3,
        },
    )


def disbursed_loan(
    desks, member: dict, product: dict, principal: str, n: int, rate: str, *, at: str = ""
) -> dict:
    loan = desks[f"officer{at}"].post(
        "loans",
        {
            "member": member["id"],
            "product": product["id"],
            "principal": principal,
            "installments": n,
            "annual_rate": rate,
            "purpose": "Stock de farine de manioc",
            "cash_flow": {"daily_sales": "80", "daily_purchases": "50", "household_costs": "60"},
        },
    )
    desks[f"committee{at}"].post(f"loans/{loan['id']}/approve", {"note": "Bon dossier"}, status=200)
    desks[f"teller{at}"].post(f"loans/{loan['id']}/disburse", key=True)
    return desks[f"officer{at}"].get(f"loans/{loan['id']}")


def test_scenario_3_a_day_at_the_counter(coop, desks, trader_product, open_till, close_till, cob):
    teller, manager = desks["teller"], desks["manager"]
    # A month before: Sifa borrows USD 500; Zawadi has an RWF account.
    till = open_till()
    sifa = register_active(desks, "Sifa", "Bulonza", "+243 97 000 0021")
    zawadi = register_active(desks, "Zawadi", "Cirhuza", "+243 97 000 0011")
    loan = disbursed_loan(desks, sifa, trader_product, "500", 15, "28.8")
    rwf = teller.post(
        "savings-accounts", {"member": zawadi["id"], "product": coop["savings"]["RWF"]["id"]}
    )
    close_till(till["id"])
    first = teller.get(f"loans/{loan['id']}/schedule")["installments"][0]
    assert (first["due_date"], first["principal"], first["interest"], first["fees"]) == (
        "2026-12-02",
        "33.33",
        "12.00",
        "0.50",
    )
    assert first["total"] == "45.83"

    # The counter day: Wednesday 2 December, her first instalment falls due.
    assert cob(dt.date(2026, 12, 1)) == dt.date(2026, 12, 2)
    manager.post(
        "exchange-rates",
        {"base": "USD", "quote": "CDF", "buy": "2847.35", "sell": "2895", "reference": "2871.20"},
    )
    till = open_till()  # USD 2,000, CDF 3,000,000 and RWF 200,000 from the vault
    assert till["balances"] == {"CDF": "3000000.00", "RWF": "200000", "USD": "2000.00"}

    # USD 45.50 on the USD 45.83 instalment: penalties (none), fees, interest, principal.
    assert teller.get(f"loans/{loan['id']}")["due_today"] == "45.83"
    key = new_key()
    tx = teller.post(f"loans/{loan['id']}/repayments", {"amount": "45.50"}, key=key)
    again = teller.post(f"loans/{loan['id']}/repayments", {"amount": "45.50"}, key=key)
    assert again["id"] == tx["id"]
    assert (tx["penalties"], tx["fees"], tx["interest"], tx["principal"]) == (
        "0.00",
        "0.50",
        "12.00",
        "33.00",
    )
    state = teller.get(f"loans/{loan['id']}")
    assert (state["due_today"], state["outstanding"]["principal"]) == ("0.33", "467.00")

    # RWF 12,000 into her RWF account.
    deposit = teller.post(
        f"savings-accounts/{rwf['id']}/deposits", {"amount": "12000", "currency": "RWF"}, key=True
    )
    assert deposit["balance"] == "12000"

    # A walk-in customer changes USD 100 at the buy rate; a double click moves money once.
    key = new_key()
    body = {"currency": "USD", "amount": "100", "currency_out": "CDF", "customer_name": "Passante"}
    exchange = teller.post("exchanges", body, key=key)
    double = teller.post("exchanges", body, key=key, status=200)
    assert double["id"] == exchange["id"]
    assert exchange["paid"] == {"currency": "CDF", "amount": "284700.00"}  # FC 50 notes
    assert exchange["kept"] == {"currency": "CDF", "amount": "35.00"}
    assert exchange["rate_applied"] == "2847.35"
    assert exchange["margin"] == {"currency": "USD", "amount": "0.84"}
    assert len(teller.get("exchanges")["results"]) == 1

    till = teller.get(f"tills/{till['id']}")
    assert till["balances"] == {"CDF": "2715300.00", "RWF": "212000", "USD": "2145.50"}

    # Closing: counted by denomination, FC 500 short; the manager needs a reason.
    vault_before = balance(manager, "5700", "CDF")
    teller.post(
        f"tills/{till['id']}/close",
        {"counts": count_of(till["balances"], short={"CDF": "500"})},
        key=True,
        status=200,
    )
    refused = manager.post(
        f"tills/{till['id']}/close/confirm", {"reason": ""}, key=True, status=400
    )
    assert refused["code"] == "reason_required"
    closed = manager.post(
        f"tills/{till['id']}/close/confirm",
        {"reason": "Billet de 500 FC manquant, recompté deux fois avec la caissière"},
        key=True,
        status=200,
    )
    assert closed["status"] == "closed"
    assert closed["count"]["differences"] == {"CDF": "-500.00", "RWF": "0", "USD": "0.00"}
    assert closed["count"]["approved_by"] == "manager"
    assert balance(manager, "4710", "CDF") == D("500.00")  # teller differences
    assert balance(manager, "5700", "CDF") - vault_before == D("2714800.00")
    assert balance(manager, "5710", "CDF") == D("0")  # every till is back in the vault
    verify_green()


# --- 4. Month end at the cooperative ---------------------------------------------------------------
@pytest.fixture
def goma(desks, make_user, other_branch, api_client_for):
    """Staff of the GOM branch (desks["teller-gom"] ...) and a head-office manager who
    sees every branch (desks["director"])."""
    from .conftest import Desk

    for role in ("teller", "officer", "committee", "manager"):
        user = make_user(role, username=f"{role}-gom", branch_=other_branch)
        desks[f"{role}-gom"] = Desk(user, api_client_for(user))
    director = make_user("manager", username="director", all_branches=True)
    desks["director"] = Desk(director, api_client_for(director))
    for desk in desks.values():
        desk.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return desks


@pytest.mark.parametrize("start_date", [dt.date(2026, 9, 28)])
def test_scenario_4_month_end(coop, goma, open_till, close_till, cob):
    desks = goma
    manager, director, accountant = desks["manager"], desks["director"], desks["accountant"]
    posts = {p["name"]: p["id"] for p in manager.get("border-posts")}
    ruzizi, kamanyola = posts["Ruzizi I / Rusizi I"], posts["Kamanyola / Bugarama"]
    barriere = posts["Petite Barrière (Goma / Gisenyi)"]
    product = manager.post(
        "loan-products",
        {
            "code": "COMMERCE-ACC",
            "name": "Crédit commerçante (USD, mensuel, intérêts courus)",
            "currency": "USD",
            "min_principal": "100",
            "max_principal": "2000",
            "min_installments": 3,
            "max_installments": 12,
            "frequency": "months",
            "interest_method": "flat",
            "min_rate": "24",
            "max_rate": "24",
            "accounting": "accrual",
        },
    )
    savings = manager.post(
        "savings-products",
        {
            "code": "EV-USD-6",
            "name": "Épargne à vue USD 6 %",
            "kind": "voluntary",
            "currency": "USD",
            "interest_rate": "6",
            "posting_frequency": "monthly",
        },
    )

    # Monday 28 September: four traders borrow in two branches (monthly, 6 months, flat 2 %).
    tills = {"": open_till(), "-gom": open_till("teller-gom", manager="manager-gom")}
    traders = {}
    for first, at, post, principal, phone in (
        ("Amani", "", ruzizi, "600", "+243 97 000 0031"),
        ("Neema", "", kamanyola, "400", "+243 97 000 0032"),
        ("Riziki", "-gom", barriere, "500", "+243 97 000 0033"),
        ("Feza", "-gom", ruzizi, "300", "+243 97 000 0034"),
    ):
        member = register_active(
            desks, first, "Bisimwa", phone, at=at, trader_profile={"border_posts": [post]}
        )
        traders[first] = disbursed_loan(desks, member, product, principal, 6, "24", at=at)
    neema = traders["Neema"]["member"]["id"]
    account = desks["teller"].post("savings-accounts", {"member": neema, "product": savings["id"]})
    desks["teller"].post(
        f"savings-accounts/{account['id']}/deposits",
        {"amount": "100", "currency": "USD"},
        key=True,
    )
    for at, till in tills.items():
        close_till(till["id"], teller=f"teller{at}", manager=f"manager{at}")

    # End of day every evening; Neema and Feza pay on 28 October and 28 November, Amani and
    # Riziki stop paying.
    for due in (dt.date(2026, 10, 28), dt.date(2026, 11, 28)):
        assert cob(due - dt.timedelta(days=1)) == due
        for first, at, amount in (("Neema", "", "74.67"), ("Feza", "-gom", "56.00")):
            till = open_till(f"teller{at}", manager=f"manager{at}")
            loan = traders[first]["id"]
            assert desks[f"teller{at}"].get(f"loans/{loan}")["due_today"] == amount
            desks[f"teller{at}"].post(f"loans/{loan}/repayments", {"amount": amount}, key=True)
            close_till(till["id"], teller=f"teller{at}", manager=f"manager{at}")

    # Month end: Monday 30 November is closed, the business date moves to Tuesday 1 December.
    assert cob(dt.date(2026, 11, 30)) == dt.date(2026, 12, 1)
    month_end = "2026-11-30"

    # PAR30 by branch and by border post (the head-office manager sees both branches).
    def par30(report) -> dict:
        (usd,) = report["currencies"]
        return {
            row["label"]: (
                row["gross_loan_portfolio"]["amount"],
                row["par"]["par30"]["amount"],
                row["par"]["par30"]["ratio"],
            )
            for row in usd["breakdown"]
        }

    report = director.get("reports/portfolio", date=month_end, by="branch", currency="USD")
    assert (report["source"], report["snapshot_date"]) == ("snapshot", month_end)
    assert report["currencies"][0]["par"]["par30"]["ratio"] == "0.702131"  # 1,100 / 1,566.66
    assert par30(report) == {
        "BKV · Bukavu": ("866.66", "600.00", "0.692313"),
        "GOM · Goma": ("700.00", "500.00", "0.714286"),
    }
    report = director.get("reports/portfolio", date=month_end, by="border_post", currency="USD")
    assert par30(report) == {
        "Ruzizi I / Rusizi I": ("800.00", "600.00", "0.750000"),  # Amani (BKV), Feza (GOM)
        "Kamanyola / Bugarama": ("266.66", "0.00", "0.000000"),
        "Petite Barrière (Goma / Gisenyi)": ("500.00", "500.00", "1.000000"),
    }
    # the branch manager of Bukavu reads her own branch only
    own = manager.get("reports/portfolio", date=month_end, by="branch", currency="USD")
    assert list(par30(own)) == ["BKV · Bukavu"]

    # Provisions by the preset's bands: 33 days late is "doubtful, 31 to 60 days", 25 %.
    assert balance(accountant, "3950", "USD") == D("-275.00")  # 25 % of 600 + 500
    assert balance(accountant, "6800", "USD") == D("275.00")
    # Interest accrued evenly over each period (2 of the 30 nights of the third one):
    # earned 24.80 + 16.5333.. + 20.6666.. + 12.40 = 74.40, received 16.00 + 12.00. Each
    # loan's accrual is counted in 1/10,000 of a cent (truncated): 0.9999 of a cent waits
    # in the product's residual for the next evening.
    assert balance(accountant, "7000", "USD") == D("-74.39")
    assert balance(accountant, "3280", "USD") == D("46.39")
    # Savings interest posted on the month's last day.
    history = desks["teller"].get(f"savings-accounts/{account['id']}/transactions")["results"]
    posted = [t for t in history if t["kind"] == "interest"]
    assert [t["business_date"] for t in posted][:1] == [month_end]
    assert D(posted[0]["amount"]) > 0
    assert balance(accountant, "6000", "USD") == sum(D(t["amount"]) for t in posted)

    # The accountant prints the balance sheet and the income statement of November.
    books = accountant.get("reports/financial-statements", date=month_end, currency="USD")
    assert books["balance_sheet"]["balanced"] is True
    assert books["income_statement"]["to"] == month_end

    # ... closes the month (not the teller), and nothing can be dated in it afterwards.
    refused = desks["teller"].post("periods", {"year": 2026, "month": 11}, status=403)
    assert refused["code"] == "permission_denied"
    early = accountant.post("periods", {"year": 2026, "month": 12}, status=400)
    assert early["code"] == "period_not_over"
    closed = accountant.post("periods", {"year": 2026, "month": 11})
    assert closed["closed_through"] == month_end
    assert closed["periods"][0]["closed_by"] == "accountant"
    again = accountant.post("periods", {"year": 2026, "month": 11}, status=400)
    assert again["code"] == "already_closed"
    late_entry = accountant.post(
        "journal-entries",
        {
            "business_date": month_end,
            "narrative": "Frais bancaires de novembre oubliés",
            "lines": [
                {"account": "6300-USD", "debit": "12.00"},
                {"account": "5200-USD", "credit": "12.00"},
            ],
        },
        key=True,
        status=400,
    )
    assert late_entry["code"] == "period_closed"
    assert accountant.get("periods")["closed_through"] == month_end
    verify_green()


# --- 5. A loan goes wrong, and is put right ----------------------------------------------------
@pytest.fixture
def declining_product(coop, desks):
    """Individual trader loan: USD, monthly, declining balance, 36 % a year."""
    return desks["manager"].post(
        "loan-products",
        {
            "code": "COMMERCE-DEC",
            "name": "Crédit commerçante (USD, mensuel, dégressif)",
            "currency": "USD",
            "min_principal": "100",
            "max_principal": "2000",
            "min_installments": 3,
            "max_installments": 24,
            "frequency": "months",
            "interest_method": "declining",
            "min_rate": "36",
            "max_rate": "36",
        },
    )


def test_scenario_5_a_loan_goes_wrong(coop, desks, declining_product, open_till, close_till, cob):
    teller, officer, committee, manager = (
        desks["teller"],
        desks["officer"],
        desks["committee"],
        desks["manager"],
    )
    till = open_till()
    imani = register_active(desks, "Imani", "Nabintu", "+243 97 000 0041")
    baraka = register_active(desks, "Baraka", "Mulume", "+243 97 000 0042")
    loan = disbursed_loan(desks, imani, declining_product, "600", 6, "36")
    other = disbursed_loan(desks, baraka, declining_product, "300", 3, "36")
    close_till(till["id"])

    # Her stock is seized at the border on the way back: she stops paying. 45 days after
    # her first instalment (2 December) the committee reschedules the loan, once.
    assert cob(dt.date(2027, 1, 15)) == dt.date(2027, 1, 16)
    late = officer.get(f"loans/{loan['id']}")
    assert (late["days_past_due"], late["overdue"]) == (45, "221.52")  # 2 × 110.76
    assert late["outstanding"]["principal"] == "600.00"
    body = {
        "installments": 6,
        "grace_interest_payment": 2,
        "reason": "Marchandise saisie à la frontière de Ruzizi I; reprise du commerce en mars",
    }
    officer.post(f"loans/{loan['id']}/reschedule", body, status=403)
    rescheduled = committee.post(f"loans/{loan['id']}/reschedule", body, status=200)
    assert rescheduled["restructured"] is True
    assert (rescheduled["days_past_due"], rescheduled["overdue"]) == (0, "0.00")
    # 6 new months from today, no interest due in the first 2 (it falls in the third),
    # the interest owed so far carried: 18.00 + 15.22 due and 5.58 earned since 2 January.
    rows = officer.get(f"loans/{loan['id']}/schedule")["installments"]
    assert [(r["due_date"], r["principal"], r["interest"]) for r in rows[:3]] == [
        ("2027-02-16", "92.76", "0.00"),
        ("2027-03-16", "95.54", "0.00"),
        ("2027-04-16", "98.41", "84.37"),  # 12.35 + 18.00 + 15.22 deferred + 38.80 carried
    ]
    assert rescheduled["outstanding"]["interest"] == "103.36"
    twice = committee.post(f"loans/{loan['id']}/reschedule", body, status=400)
    assert twice["code"] == "already_rescheduled"
    # restructured: in PAR30 although she owes nothing late today
    report = manager.get("reports/portfolio", currency="USD")
    par30 = report["currencies"][0]["par"]["par30"]
    assert par30["restructured"] == 60000 and par30["loans"] == 2  # and Baraka's, late

    # At the counter Baraka pays off his loan (two instalments late and the last); the
    # teller posts it to Imani's loan by mistake. The reversal is asked by the teller,
    # approved by the manager.
    till = open_till()
    owed = teller.get(f"loans/{other['id']}")["payoff"]
    before = teller.get(f"loans/{loan['id']}")
    wrong = teller.post(f"loans/{loan['id']}/repayments", {"amount": owed}, key=True)
    assert teller.get(f"loans/{loan['id']}")["outstanding"] != before["outstanding"]
    request = teller.post(
        f"loans/{loan['id']}/repayments/{wrong['id']}/reverse",
        {"reason": "Versement de Baraka Mulume posté sur le crédit d'Imani"},
        status=202,
    )
    assert request["status"] == "pending"
    teller.post(f"loan-requests/{request['id']}/approve", key=True, status=403)
    done = manager.post(
        f"loan-requests/{request['id']}/approve",
        {"note": "Vérifié avec le reçu"},
        key=True,
        status=200,
    )
    assert done["status"] == "approved"
    # the loan is replayed as if the payment never happened ...
    after = teller.get(f"loans/{loan['id']}")
    assert (after["outstanding"], after["overdue"]) == (before["outstanding"], before["overdue"])
    # ... and the journal keeps the original entry and its reversal
    journal = manager.get("journal-entries", account="3200-USD", **{"from": "2027-01-16"})
    original, reversal = sorted(journal["results"], key=lambda e: e["number"])
    assert original["number"] == wrong["journal_entry"] and original["reversal_of"] is None
    assert reversal["reversal_of"] == original["number"]
    assert reversal["approved_by"] == "manager"
    mirror = {(ln["account"], ln["debit"], ln["credit"]) for ln in original["lines"]}
    assert {(ln["account"], ln["credit"], ln["debit"]) for ln in reversal["lines"]} == mirror
    assert ("5710-USD", owed, "0.00") in mirror
    # Posted right, on Baraka's loan.
    right = teller.post(f"loans/{other['id']}/repayments", {"amount": owed}, key=True)
    assert right["amount"] == owed
    assert teller.get(f"loans/{other['id']}")["status"] == "closed"
    close_till(till["id"])
    verify_green()

    # Months later she has paid nothing more: the committee asks for the write-off, the
    # manager approves it (not the person who asked).
    assert cob(dt.date(2027, 4, 30)) == dt.date(2027, 5, 1)
    state = officer.get(f"loans/{loan['id']}")
    assert (state["status"], state["days_past_due"]) == ("active", 74)  # since 16 February
    assert balance(manager, "3950", "USD") == D("-300.00")  # restructured, 31-90 days: 50 %
    request = committee.post(
        f"loans/{loan['id']}/write-off",
        {"reason": "Commerce arrêté depuis la saisie; aucun versement depuis 5 mois"},
        status=202,
    )
    committee.post(f"loan-requests/{request['id']}/approve", key=True, status=403)
    key = new_key()
    done = manager.post(f"loan-requests/{request['id']}/approve", key=key, status=200)
    assert done["status"] == "approved"
    written_off = officer.get(f"loans/{loan['id']}")
    assert written_off["status"] == "written_off"
    # the principal leaves the portfolio: 300.00 from the provision, 300.00 as expense
    assert balance(manager, "3200", "USD") == D("0.00")
    assert balance(manager, "3950", "USD") == D("0.00")
    assert balance(manager, "6800", "USD") == D("600.00")

    # Later still she brings USD 30: a recovery, income (a retry posts it once).
    till = open_till()
    key = new_key()
    recovery = teller.post(f"loans/{loan['id']}/recoveries", {"amount": "30"}, key=key)
    again = teller.post(f"loans/{loan['id']}/recoveries", {"amount": "30"}, key=key)
    assert again["id"] == recovery["id"]
    assert (recovery["kind"], recovery["amount"]) == ("recovery", "30.00")
    assert balance(manager, "7800", "USD") == D("-30.00")
    assert officer.get(f"loans/{loan['id']}")["status"] == "written_off"
    close_till(till["id"])
    verify_green()
