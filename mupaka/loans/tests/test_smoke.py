import pytest

from mupaka.loans import services
from mupaka.loans.services import CashFlowData
from mupaka.loans.tests.conftest import key, usd

pytestmark = pytest.mark.django_db


def test_individual_lifecycle(staff, member, trader_product, till, verify_green):
    loan = services.loan_apply(
        actor=staff["officer"],
        member=member,
        product=trader_product,
        principal=usd("300"),
        installments=6,
        annual_rate="30",
        purpose="Stock de tomates",
        cash_flow=CashFlowData(daily_sales="40", daily_purchases="30", household_costs="60"),
    )
    loan = services.loan_approve(actor=staff["committee"], loan=loan)
    tx = services.loan_disburse(actor=staff["teller"], loan=loan, idempotency_key=key())
    assert tx.principal_minor == 30000
    loan.refresh_from_db()
    rep = services.loan_repay(
        actor=staff["teller"], loan=loan, amount=usd("20"), idempotency_key=key()
    )
    print(rep.principal_minor, rep.interest_minor)
    verify_green()


def test_pages_render(staff, member, trader_product, till, client):
    from django.urls import reverse

    loan = services.loan_apply(
        actor=staff["officer"],
        member=member,
        product=trader_product,
        principal=usd("300"),
        purpose="Stock",
        cash_flow=CashFlowData(daily_sales="40", daily_purchases="30"),
    )
    client.force_login(staff["committee"])
    for name, args in [
        ("loans:loan_list", []),
        ("loans:pipeline", []),
        ("loans:loan_detail", [loan.pk]),
        ("loans:disclosure", [loan.pk]),
        ("loans:disclosure_pdf", [loan.pk]),
        ("loans:request_list", []),
    ]:
        r = client.get(reverse(name, args=args))
        assert r.status_code == 200, name
    services.loan_approve(actor=staff["committee"], loan=loan)
    services.loan_disburse(actor=staff["teller"], loan=loan, idempotency_key=key())
    client.force_login(staff["teller"])
    for name, args in [
        ("loans:loan_detail", [loan.pk]),
        ("loans:repay", [loan.pk]),
        ("loans:statement_pdf", [loan.pk]),
    ]:
        r = client.get(reverse(name, args=args))
        assert r.status_code == 200, name
    client.force_login(staff["manager"])
    for name, args in [
        ("loans:arrears", []),
        ("loans:product_list", []),
        ("loans:product_edit", [trader_product.pk]),
        ("loans:product_create", []),
    ]:
        r = client.get(reverse(name, args=args))
        assert r.status_code == 200, name
