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
def pending(make_member):
    return make_member(active=False)


@pytest.fixture(autouse=True)
def english():
    """Service messages are asserted in English (the source language)."""
    from django.utils import translation

    with translation.override("en"):
        yield
