"""Fixtures of the loan tests: the DRC chart, three products, active members, a solidarity
group, a funded till, and helpers to move the business date and to run `verify`."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest

from mupaka.core.models import Institution
from mupaka.core.money import Money

_seq = itertools.count(1)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def key(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4()}"


@pytest.fixture
def chart(institution):
    from mupaka.ledger.services import chart_load

    chart_load(actor=None, preset="drc")
    return institution


@pytest.fixture
def member_factory(staff, branch):
    from mupaka.members.services import member_register, member_status_change

    def make(first_name: str | None = None, phone: str | None = None, active: bool = True, **kw):
        n = next(_seq)
        member = member_register(
            actor=staff["officer"],
            branch=kw.pop("branch_", branch),
            first_name=first_name or f"Furaha{n:03d}",
            last_name=kw.pop("last_name", "Bisimwa"),
            sex="F",
            birth_date=dt.date(1985, 1, 1) + dt.timedelta(days=n),
            phone=phone or f"+24397{n + 5000:07d}",
            id_type="voter_card",
            id_number=f"LN-{n:06d}",
            **kw,
        )
        if active:
            member = member_status_change(actor=staff["officer"], member=member, status="active")
        return member

    return make


@pytest.fixture
def member(member_factory):
    return member_factory("Furaha")


@pytest.fixture
def trader_product(chart, staff):
    """Individual trader loan: USD, monthly, declining balance, 24-36 % a year, USD 50 to
    2,000, 1 to 24 months, 5 % flat penalty after 3 days, instalment at most 50 % of her
    disposable income."""
    from mupaka.loans.services import ProductData, loan_product_create

    return loan_product_create(
        actor=staff["manager"],
        data=ProductData(
            code="TRADER-USD",
            name="Crédit commerçante (USD, mensuel)",
            currency="USD",
            min_principal="50",
            max_principal="2000",
            min_installments=1,
            max_installments=24,
            default_installments=6,
            frequency="months",
            interest_method="declining",
            min_rate="24",
            max_rate="36",
            default_rate="30",
            penalty="flat",
            penalty_amount="2",
            penalty_tolerance_days=3,
            max_installment_share="50",
        ),
    )


@pytest.fixture
def group_product(chart, staff, guarantee_savings):
    """Solidarity group loan of scenario 2: weekly, flat 2 % a month (24 % a year), 2 %
    disbursement fee deducted, 10 % guarantee savings, USD 50 to 500 per member, 4 to 24
    weeks."""
    from mupaka.loans.services import ProductData, loan_product_create

    return loan_product_create(
        actor=staff["manager"],
        data=ProductData(
            code="GROUP-USD",
            name="Crédit solidaire (USD, hebdomadaire)",
            currency="USD",
            min_principal="50",
            max_principal="500",
            min_installments=4,
            max_installments=24,
            default_installments=12,
            frequency="weeks",
            interest_method="flat",
            min_rate="24",
            max_rate="24",
            disbursement_fee="percent",
            disbursement_fee_amount="2",
            guarantee_savings_percent="10",
            for_individuals=False,
            for_groups=True,
        ),
    )


@pytest.fixture
def savings_products(chart, staff):
    """A voluntary USD savings product and the USD guarantee savings product."""
    from mupaka.savings.services import ProductData as SavingsProductData
    from mupaka.savings.services import savings_product_create

    voluntary = savings_product_create(
        actor=staff["manager"],
        data=SavingsProductData(
            code="EV-USD", name="Épargne à vue USD", kind="voluntary", currency="USD"
        ),
    )
    guarantee = savings_product_create(
        actor=staff["manager"],
        data=SavingsProductData(
            code="EG-USD",
            name="Épargne de garantie USD",
            kind="guarantee",
            currency="USD",
        ),
    )
    return voluntary, guarantee


@pytest.fixture
def guarantee_savings(savings_products):
    return savings_products[1]


@pytest.fixture
def savings_account(staff, savings_products):
    """savings_account(member, deposit="100") → her open USD account (funded through the
    till when ``deposit`` is given)."""
    from mupaka.savings.services import savings_account_open, savings_deposit

    def open_(member, deposit: str | None = None):
        account = savings_account_open(
            actor=staff["officer"], member=member, product=savings_products[0]
        )
        if deposit:
            savings_deposit(
                actor=staff["teller"], account=account, amount=usd(deposit), idempotency_key=key()
            )
        return account

    return open_


@pytest.fixture
def umoja(staff, branch, member_factory):
    """The solidarity group "Umoja Ruzizi": five active traders, Zawadi leads."""
    from mupaka.members.services import solidarity_group_create

    names = ["Zawadi", "Neema", "Mapendo", "Bahati", "Riziki"]
    members = [member_factory(n) for n in names]
    group = solidarity_group_create(
        actor=staff["officer"],
        branch=branch,
        name="Umoja Ruzizi",
        members=members,
        leader=members[0],
        secretary=members[1],
    )
    return group, members


@pytest.fixture
def till(chart, staff):
    from mupaka.tellers.testing import open_till_with_cash

    return open_till_with_cash(
        teller=staff["teller"],
        manager=staff["manager"],
        floats=[usd("5000"), Money.of("3000000", "CDF")],
    )


@pytest.fixture
def move_to(staff):
    """move_to(date): set the business date and open a funded till for the teller."""
    from mupaka.core.services import business_date_set
    from mupaka.tellers.testing import open_till_with_cash

    def go(date: dt.date, cash: bool = True):
        business_date_set(actor=None, new_date=date)
        if cash:
            open_till_with_cash(
                teller=staff["teller"],
                manager=staff["manager"],
                floats=[usd("5000"), Money.of("3000000", "CDF")],
            )
        return Institution.objects.get().business_date

    return go


def verify_problems() -> dict[str, list[str]]:
    from mupaka.ledger.verify import run_checks

    return {r.name: r.problems for r in run_checks() if not r.ok}


@pytest.fixture
def verify_green():
    def check():
        problems = verify_problems()
        assert problems == {}

    return check


@pytest.fixture
def english():
    """Messages in English (the tests read their wording; French is the default)."""
    from django.utils import translation

    with translation.override("en"):
        yield
