"""Fixtures of the tellers' tests: the DRC chart, a funded vault and an open till."""

from __future__ import annotations

import itertools
import uuid

import pytest

from mupaka.core.money import Money
from mupaka.ledger.services import chart_load

_n = itertools.count(1)


def m(amount: str, currency: str = "USD") -> Money:
    return Money.of(amount, currency)


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def chart(institution):
    chart_load(actor=None, preset="drc")
    return institution


@pytest.fixture
def teller(staff):
    return staff["teller"]


@pytest.fixture
def manager(staff):
    return staff["manager"]


@pytest.fixture
def funded_vault(chart, branch, manager):
    from mupaka.tellers.services import vault_fund

    for amount in (m("10000", "USD"), m("20000000", "CDF"), m("1000000", "RWF")):
        vault_fund(
            actor=manager,
            branch=branch,
            amount=amount,
            source="opening",
            reason="Solde d'ouverture",
            journal_key=key(),
        )
    from mupaka.tellers.models import Vault

    return Vault.objects.get(branch=branch)


@pytest.fixture
def open_till(funded_vault, teller, manager):
    """Scenario 3's till: USD 2,000, CDF 3,000,000 and RWF 200,000 from the vault, confirmed."""
    from mupaka.tellers.services import cash_transfer_confirm, till_open

    till = till_open(
        actor=manager,
        teller=teller,
        floats=[m("2000", "USD"), m("3000000", "CDF"), m("200000", "RWF")],
    )
    cash_transfer_confirm(actor=teller, transfer=till.transfers.get(), journal_key=key())
    till.refresh_from_db()
    return till


@pytest.fixture
def furaha(staff, branch):
    """Scenario 1's trader, registered by the loan officer."""
    import datetime as dt

    from mupaka.members.services import member_register

    return member_register(
        actor=staff["officer"],
        branch=branch,
        first_name="Furaha",
        last_name="Mapendo",
        sex="F",
        birth_date=dt.date(1992, 3, 14),
        phone="+243970000001",
    )


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English (the source); French is checked by the catalogue
    check and the browser test."""
    from django.utils import translation

    with translation.override("en"):
        yield


# --- a member with money: savings, shares and loan products, approved loans ------------
from mupaka.tellers.tests.counter_fixtures import *  # noqa: E402, F403
