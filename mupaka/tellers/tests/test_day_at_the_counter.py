"""Scenario 3, "a day at the counter in three currencies", through the teller screen:
the manager opens the till from the vault, a new member pays her entry fee and two
shares (scenario 1) and becomes active, the teller takes deposits in USD, CDF and RWF,
a partial loan repayment (USD 45.50 on a USD 45.83 instalment), changes USD 100 for a
walk-in customer, pays a withdrawal, counts exactly and closes; the next day she closes
short of FC 500 and the manager approves the difference with a reason. Till, vault,
savings, loans and the general ledger agree all along (`mupaka verify` green)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from mupaka.ledger.models import JournalEntry
from mupaka.ledger.selectors import role_balance
from mupaka.ledger.verify import run_checks
from mupaka.tellers.models import Receipt, TillStatus
from mupaka.tellers.selectors import till_balances, till_open_for, vault_balances
from mupaka.tellers.services import (
    cash_transfer_confirm,
    rate_set,
    till_close,
    till_close_confirm,
    till_open,
)
from mupaka.tellers.testing import exact_count

from .conftest import key, m


def verify_green():
    failed = {r.name: r.problems for r in run_checks() if not r.ok}
    assert failed == {}


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["mupaka_language"] = "en"
    return c


@pytest.fixture
def savings(chart, staff):
    from mupaka.savings.services import ProductData, savings_product_create

    return {
        cur: savings_product_create(
            actor=staff["manager"],
            data=ProductData(
                code=f"EV-{cur}", name=f"Épargne à vue {cur}", kind="voluntary", currency=cur
            ),
        )
        for cur in ("USD", "CDF", "RWF")
    }


@pytest.fixture
def share_product(chart, staff):
    from mupaka.shares.services import share_product_set

    return share_product_set(
        actor=staff["manager"],
        name="Parts sociales",
        currency="USD",
        unit_price="10",
        min_shares=2,
        max_shares=50,
        entry_fee="5",
    )


@pytest.fixture
def flat_loan_product(chart, staff):
    from mupaka.loans.services import ProductData, loan_product_create

    return loan_product_create(
        actor=staff["manager"],
        data=ProductData(
            code="FLAT-USD",
            name="Crédit flat mensuel",
            currency="USD",
            min_principal="100",
            max_principal="1000",
            min_installments=3,
            max_installments=18,
            frequency="months",
            interest_method="flat",
            min_rate="30",
            max_rate="30",
            penalty="percent-of-overdue",
            penalty_amount="5",
            penalty_tolerance_days=3,
        ),
    )


def operate(c, member, op, target, amount, currency, k=None):
    return c.post(
        f"/tellers/counter/members/{member.pk}/operate/",
        {
            "idempotency_key": k or key(),
            "op": op,
            "target": target,
            "amount": amount,
            "currency": currency,
        },
        HTTP_HX_REQUEST="true",
    )


def test_a_day_at_the_counter(
    funded_vault, staff, savings, furaha, share_product, flat_loan_product, institution
):
    from mupaka.loans.services import CashFlowData, loan_apply, loan_approve, loan_disburse
    from mupaka.savings.models import SavingsAccount
    from mupaka.savings.services import savings_account_open

    teller, manager = staff["teller"], staff["manager"]
    vault_before = vault_balances(funded_vault)

    # morning: the manager opens the till from the vault, the teller counts and confirms
    till = till_open(
        actor=manager, teller=teller, floats=[m("2000"), m("3000000", "CDF"), m("200000", "RWF")]
    )
    cash_transfer_confirm(actor=teller, transfer=till.transfers.get(), journal_key=key())
    rate_set(
        actor=manager, base="USD", quote="CDF", buy="2847.35", sell="2895", reference="2871.20"
    )

    # scenario 1 at the counter: the pending member pays the entry fee and 2 shares
    c = client_for(teller)
    panel = c.get(f"/tellers/counter/members/{furaha.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "shares-form" in panel
    r = operate(c, furaha, "shares", furaha.pk, "2", "USD")
    assert "print-receipt" in r.content.decode(), r.content.decode()
    furaha.refresh_from_db()
    assert furaha.status == "active"
    receipt = Receipt.objects.get(kind="shares.purchase")
    assert [ln["amount_minor"] for ln in receipt.lines] == [500, 2000]

    accounts = {
        cur: savings_account_open(actor=staff["officer"], member=furaha, product=p)
        for cur, p in savings.items()
    }
    loan = loan_apply(
        actor=staff["officer"],
        member=furaha,
        product=flat_loan_product,
        principal=m("500"),
        installments=15,
        purpose="Stock de farine",
        cash_flow=CashFlowData(daily_sales="60", daily_purchases="30", household_costs="60"),
    )
    loan = loan_approve(actor=staff["committee"], loan=loan)
    loan_disburse(actor=teller, loan=loan, idempotency_key=key(), channel="cash")
    verify_green()

    panel = c.get(f"/tellers/counter/members/{furaha.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert accounts["RWF"].number in panel and f"loan-{loan.pk}" in panel

    # deposits: USD 20 (pressed twice: once), CDF 50,000, RWF 12,000
    k = key()
    first = operate(c, furaha, "deposit", accounts["USD"].pk, "20", "USD", k)
    entries = JournalEntry.objects.count()
    again = operate(c, furaha, "deposit", accounts["USD"].pk, "20", "USD", k)
    assert first.status_code == again.status_code == 200
    assert JournalEntry.objects.count() == entries and Receipt.objects.count() == 2
    assert "print-receipt" in first.content.decode()
    operate(c, furaha, "deposit", accounts["CDF"].pk, "50000", "CDF")
    operate(c, furaha, "deposit", accounts["RWF"].pk, "12000", "RWF")

    # a partial repayment: USD 45.50 on an instalment of USD 45.83
    r = operate(c, furaha, "repay", loan.pk, "45.50", "USD")
    assert "print-receipt" in r.content.decode(), r.content.decode()
    receipt = Receipt.objects.filter(kind="loans.repayment").get()
    assert receipt.lines[0]["amount_minor"] == 4550

    # a walk-in customer changes USD 100 at the buy rate: FC 284,700 paid, FC 35 stated
    r = c.post(
        "/tellers/counter/exchange/",
        {
            "x-idempotency_key": key(),
            "x-amount": "100",
            "x-currency": "USD",
            "x-currency_out": "CDF",
            "x-customer_name": "Client de passage",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "print-receipt" in r.content.decode()

    # a withdrawal of FC 20,000 from her CDF account
    r = operate(c, furaha, "withdraw", accounts["CDF"].pk, "20000", "CDF")
    assert "print-receipt" in r.content.decode(), r.content.decode()
    # and one the till cannot pay in notes: refused, nothing written
    entries = JournalEntry.objects.count()
    r = operate(c, furaha, "withdraw", accounts["CDF"].pk, "1025", "CDF")
    assert "operation-error" in r.content.decode() and JournalEntry.objects.count() == entries

    disbursed = 50000  # net cash paid out at disbursement (no fee on this product)
    assert till_balances(till) == {
        "CDF": 300_000_000 + 5_000_000 - 28_470_000 - 2_000_000,
        "RWF": 200_000 + 12_000,
        "USD": 200_000 + 2_500 - disbursed + 2_000 + 4_550 + 10_000,
    }
    assert {
        cur: SavingsAccount.objects.get(pk=a.pk).balance_minor for cur, a in accounts.items()
    } == {
        "USD": 2_000,
        "CDF": 3_000_000,
        "RWF": 12_000,
    }
    verify_green()

    # evening: an exact count, the manager receives the cash into the vault
    till_close(actor=teller, till=till, counts=exact_count(till))
    till_close_confirm(actor=manager, till=till, journal_key=key())
    till.refresh_from_db()
    assert till.status == TillStatus.CLOSED and set(till_balances(till).values()) == {0}
    assert vault_balances(funded_vault) == {
        "CDF": vault_before["CDF"] + 5_000_000 - 28_470_000 - 2_000_000,
        "RWF": vault_before["RWF"] + 12_000,
        "USD": vault_before["USD"] + 2_500 - disbursed + 2_000 + 4_550 + 10_000,
    }
    verify_green()

    # the next day: a deposit, then a count short of FC 500, approved with a reason
    from mupaka.core.services import business_date_set

    business_date_set(actor=None, new_date=institution.business_date + dt.timedelta(days=1))
    till2 = till_open(actor=manager, teller=teller, floats=[m("500"), m("1000000", "CDF")])
    cash_transfer_confirm(actor=teller, transfer=till2.transfers.get(), journal_key=key())
    operate(c, furaha, "deposit", accounts["CDF"].pk, "10000", "CDF")
    till_close(actor=teller, till=till2, counts=exact_count(till2, short={"CDF": 50_000}))
    till_close_confirm(
        actor=manager, till=till2, reason="Billet de 500 FC manquant", journal_key=key()
    )
    till2.refresh_from_db()
    assert till2.status == TillStatus.CLOSED
    assert role_balance("teller_difference", "CDF").net_minor == 50_000
    assert till_open_for(user=teller) == till2
    verify_green()
