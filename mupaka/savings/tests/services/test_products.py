"""Products and KYC limits through the services: what a change does to open accounts, and
the refusals field by field (nothing written)."""

from __future__ import annotations

import pytest

from mupaka.core.exceptions import PermissionDenied, ValidationFailed
from mupaka.savings.models import KycTierLimit, SavingsAccount
from mupaka.savings.services import (
    kyc_limit_set,
    product_data,
    product_data_replace,
    savings_product_update,
)
from mupaka.savings.tests.conftest import m, verify_green

pytestmark = pytest.mark.django_db


def test_a_new_minimum_balance_applies_to_the_open_accounts(
    staff, usd_product, member, open_account, deposit
):
    acct = open_account(member, usd_product)
    deposit(acct, m("100"))
    assert SavingsAccount.objects.get(pk=acct.pk).available_minor == 9500  # minimum USD 5
    data = product_data_replace(product_data(usd_product), min_balance="20")
    savings_product_update(actor=staff["manager"], product=usd_product, data=data)
    acct.refresh_from_db()
    assert (acct.min_balance_minor, acct.available_minor) == (2000, 8000)
    verify_green()


def test_code_kind_and_currency_are_frozen_once_accounts_exist(
    staff, usd_product, member, open_account
):
    open_account(member, usd_product)
    before = product_data(usd_product)
    for field, value in (("code", "EV-NEW"), ("kind", "guarantee"), ("currency", "CDF")):
        with pytest.raises(ValidationFailed) as exc:
            savings_product_update(
                actor=staff["manager"],
                product=usd_product,
                data=product_data_replace(before, **{field: value}),
            )
        assert field in exc.value.errors
    usd_product.refresh_from_db()
    assert product_data(usd_product) == before
    with pytest.raises(PermissionDenied):
        savings_product_update(actor=staff["teller"], product=usd_product, data=before)


def test_kyc_limits_are_refused_field_by_field(staff, chart):
    with pytest.raises(ValidationFailed) as exc:
        kyc_limit_set(
            actor=staff["manager"],
            tier=2,
            currency="EUR",
            max_balance="-1",
            max_withdrawal_per_day="1.005",
        )
    assert set(exc.value.errors) == {"tier", "currency", "max_balance", "max_withdrawal_per_day"}
    assert not KycTierLimit.objects.exists()
    with pytest.raises(PermissionDenied):
        kyc_limit_set(
            actor=staff["teller"],
            tier=0,
            currency="USD",
            max_balance="1",
            max_withdrawal_per_day=None,
        )
    limit = kyc_limit_set(
        actor=staff["manager"], tier=0, currency="USD", max_balance="200", max_withdrawal_per_day=""
    )
    assert (limit.max_balance_minor, limit.max_withdrawal_per_day_minor) == (20000, None)
    again = kyc_limit_set(
        actor=staff["manager"],
        tier=0,
        currency="USD",
        max_balance=None,
        max_withdrawal_per_day="50",
    )
    assert again.pk == limit.pk and (
        again.max_balance_minor,
        again.max_withdrawal_per_day_minor,
    ) == (
        None,
        5000,
    )
