"""Fixtures of the shares tests: the savings fixtures plus the share product of the demo
(USD 10 a share, 2 to join, entry fee USD 5)."""

from __future__ import annotations

import pytest

from mupaka.savings.tests import conftest as savings

# the savings fixtures, shared
bdate = savings.bdate
cdf_product = savings.cdf_product
chart = savings.chart
deposit = savings.deposit
make_member = savings.make_member
make_product = savings.make_product
member = savings.member
open_account = savings.open_account
till = savings.till
usd_product = savings.usd_product


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
def loan_product(chart, staff):
    """A USD trader loan, monthly, declining balance (the loans app's own services)."""
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
        ),
    )


@pytest.fixture
def pending(make_member):
    return make_member(active=False)


@pytest.fixture(autouse=True)
def english():
    """Service messages are asserted in English (the source language)."""
    from django.utils import translation

    with translation.override("en"):
        yield
