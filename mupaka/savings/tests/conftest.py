"""Fixtures of the savings tests: the DRC chart, products, active members, an open till
and ``verify_green()`` that every money test ends with."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest

from mupaka.core.money import Money

_seq = itertools.count(1)


def m(amount: str, currency: str = "USD") -> Money:
    return Money.of(amount, currency)


def key() -> str:
    return str(uuid.uuid4())


def verify_green() -> None:
    from mupaka.ledger.verify import run_checks

    failed = {r.name: r.problems for r in run_checks() if not r.ok}
    assert not failed, failed


@pytest.fixture
def chart(institution):
    from mupaka.ledger.services import chart_load

    chart_load(actor=None, preset="drc")
    return institution


@pytest.fixture
def bdate(institution):
    return institution.business_date


@pytest.fixture
def make_product(chart, staff):
    from mupaka.savings.services import ProductData, savings_product_create

    def make(**overrides):
        n = next(_seq)
        values = {
            "code": f"EV-{n}",
            "name": f"Épargne à vue {n}",
            "kind": "voluntary",
            "currency": "USD",
        }
        values.update(overrides)
        return savings_product_create(actor=staff["manager"], data=ProductData(**values))

    return make


@pytest.fixture
def usd_product(make_product):
    """Voluntary USD savings: 6 %, minimum balance USD 5, fee USD 0.50, dormant after 180 days."""
    return make_product(
        code="EV-USD",
        name="Épargne à vue USD",
        currency="USD",
        interest_rate="6",
        min_balance="5",
        withdrawal_fee="0.50",
        dormancy_days=180,
    )


@pytest.fixture
def cdf_product(make_product):
    return make_product(code="EV-CDF", name="Épargne à vue CDF", currency="CDF", interest_rate="4")


@pytest.fixture
def rwf_product(make_product):
    return make_product(code="EV-RWF", name="Épargne à vue RWF", currency="RWF")


@pytest.fixture
def guarantee_product(make_product):
    return make_product(code="EG-USD", name="Épargne de garantie USD", kind="guarantee")


@pytest.fixture
def term_product(make_product):
    return make_product(
        code="DAT-USD",
        name="Dépôt à terme 6 mois USD",
        kind="term",
        interest_rate="8",
        term_months=6,
        posting_frequency="at_maturity",
        early_break_penalty="2",
    )


@pytest.fixture
def make_member(staff, branch):
    """make_member(**overrides) → an active member of BKV (tier 1: voter card)."""
    from mupaka.members.services import member_register, member_status_change

    def make(active: bool = True, **overrides):
        n = next(_seq)
        values = {
            "actor": staff["officer"],
            "branch": branch,
            "first_name": f"Furaha{n:03d}",
            "last_name": "Bisimwa",
            "sex": "F",
            "birth_date": dt.date(1990, 1, 1) + dt.timedelta(days=n),
            "phone": f"+24398{n:07d}",
            "id_type": "voter_card",
            "id_number": f"SK-{n:06d}",
        }
        values.update(overrides)
        member = member_register(**values)
        if active:
            member = member_status_change(actor=staff["officer"], member=member, status="active")
        return member

    return make


@pytest.fixture
def member(make_member):
    return make_member()


@pytest.fixture
def open_account(staff):
    from mupaka.savings.services import savings_account_open

    def open_(member, product, actor=None):
        return savings_account_open(actor=actor or staff["officer"], member=member, product=product)

    return open_


@pytest.fixture
def till(chart, staff):
    """The teller's till: USD 2,000, CDF 3,000,000 and RWF 200,000 (scenario 3)."""
    from mupaka.tellers.testing import open_till_with_cash

    return open_till_with_cash(
        teller=staff["teller"],
        manager=staff["manager"],
        floats=[m("2000", "USD"), m("3000000", "CDF"), m("200000", "RWF")],
    )


@pytest.fixture
def deposit(staff, till):
    from mupaka.savings.services import savings_deposit

    def do(account, amount: Money, actor=None, **kw):
        return savings_deposit(
            actor=actor or staff["teller"],
            account=account,
            amount=amount,
            idempotency_key=kw.pop("idempotency_key", key()),
            **kw,
        )

    return do


# --- tests that commit (browser) -------------------------------------------------------------------
@pytest.fixture
def _restore_guards(django_db_blocker):
    yield
    from django.db import connection

    from mupaka.ledger import db_guards

    with django_db_blocker.unblock():
        db_guards.install(connection)


@pytest.fixture
def committing_db(_restore_guards, transactional_db):
    """Transactions really commit; the journal's guards are dropped just before the flush
    and put back afterwards (see "Tests that commit" in mupaka/ledger/API.md)."""
    from django.db import connection

    from mupaka.ledger import db_guards

    db_guards.install(connection)
    yield
    db_guards.remove(connection)
