"""Fixtures for a member with money: active members, savings, share and loan products,
approved loans and group loans. Imported by the tellers' and the members' conftest
(``from mupaka.tellers.tests.counter_fixtures import *``); they need a ``chart`` fixture
(the DRC chart loaded) from the importing conftest."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest

from mupaka.core.money import Money

_seq = itertools.count(1)

__all__ = [
    "active_member",
    "approved_group_loan",
    "approved_loan",
    "group_loan_product",
    "share_product",
    "trader_loan_product",
    "usd_savings",
]


def _key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def active_member(staff, branch):
    """active_member(first_name="Neema") → an active member of BKV with a voter card."""
    from mupaka.members.services import member_register, member_status_change

    def make(first_name: str | None = None, **kw):
        n = next(_seq)
        member = member_register(
            actor=staff["officer"],
            branch=kw.pop("branch_", branch),
            first_name=first_name or f"Neema{n:03d}",
            last_name=kw.pop("last_name", "Cikuru"),
            sex="F",
            birth_date=dt.date(1988, 1, 1) + dt.timedelta(days=n),
            phone=f"+24397{n + 7000:07d}",
            id_type="voter_card",
            id_number=f"CT-{n:06d}",
            **kw,
        )
        return member_status_change(actor=staff["officer"], member=member, status="active")

    return make


@pytest.fixture
def usd_savings(chart, staff):
    """{"voluntary": USD sight savings, "guarantee": USD guarantee savings (the loan
    product sets how much is kept there: 10 %), "term": a 6-month USD term deposit at 8 %,
    2 % penalty for an early break}."""
    from mupaka.savings.services import ProductData, savings_product_create

    def make(code, name, kind, **kw):
        return savings_product_create(
            actor=staff["manager"],
            data=ProductData(code=code, name=name, kind=kind, currency="USD", **kw),
        )

    return {
        "voluntary": make("EV-USD", "Épargne à vue USD", "voluntary"),
        "guarantee": make("EG-USD", "Épargne de garantie USD", "guarantee"),
        "term": make(
            "DAT-USD",
            "Dépôt à terme 6 mois USD",
            "term",
            interest_rate="8",
            term_months=6,
            early_break_penalty="2",
            posting_frequency="at_maturity",
        ),
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
def trader_loan_product(chart, staff):
    """Individual USD loan, monthly, flat 30 % a year, 2 % disbursement fee deducted."""
    from mupaka.loans.services import ProductData, loan_product_create

    return loan_product_create(
        actor=staff["manager"],
        data=ProductData(
            code="FLAT-USD",
            name="Crédit commerçante USD",
            currency="USD",
            min_principal="100",
            max_principal="1000",
            min_installments=3,
            max_installments=18,
            frequency="months",
            interest_method="flat",
            min_rate="30",
            max_rate="30",
            disbursement_fee="percent",
            disbursement_fee_amount="2",
        ),
    )


@pytest.fixture
def group_loan_product(chart, staff, usd_savings):
    """Scenario 2's solidarity product: weekly, flat 24 %, 2 % fee, 10 % guarantee."""
    from mupaka.loans.services import ProductData, loan_product_create

    return loan_product_create(
        actor=staff["manager"],
        data=ProductData(
            code="GROUP-USD",
            name="Crédit solidaire USD",
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
def approved_loan(staff, trader_loan_product):
    """approved_loan(member, principal="500") → her individual loan, approved by the
    committee (not yet disbursed)."""
    from mupaka.loans.services import CashFlowData, loan_apply, loan_approve

    def make(member, principal: str = "500", installments: int = 10):
        loan = loan_apply(
            actor=staff["officer"],
            member=member,
            product=trader_loan_product,
            principal=Money.of(principal, "USD"),
            installments=installments,
            purpose="Stock de farine de manioc",
            cash_flow=CashFlowData(daily_sales="80", daily_purchases="40", household_costs="40"),
        )
        return loan_approve(actor=staff["committee"], loan=loan)

    return make


@pytest.fixture
def approved_group_loan(staff, branch, active_member, group_loan_product):
    """approved_group_loan() → (group loan approved by the committee, group, members):
    "Umoja Ruzizi", three traders at USD 200 each, the first one leads."""
    from mupaka.loans.services import (
        CashFlowData,
        ShareData,
        group_loan_apply,
        group_loan_approve,
    )
    from mupaka.members.services import solidarity_group_create

    def make(name: str = "Umoja Ruzizi", approve: bool = True):
        members = [active_member(n) for n in ("Zawadi", "Mapendo", "Riziki")]
        group = solidarity_group_create(
            actor=staff["officer"],
            branch=branch,
            name=name,
            members=members,
            leader=members[0],
            secretary=members[1],
        )
        flow = CashFlowData(daily_sales="60", daily_purchases="30", household_costs="20")
        group_loan = group_loan_apply(
            actor=staff["officer"],
            group=group,
            product=group_loan_product,
            shares=[
                ShareData(member=m, principal=Money.of("200", "USD"), cash_flow=flow)
                for m in members
            ],
            purpose="Stock de tomates et de farine",
            installments=12,
        )
        if approve:
            group_loan = group_loan_approve(actor=staff["committee"], group_loan=group_loan)
        return group_loan, group, members

    return make
