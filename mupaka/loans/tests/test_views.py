"""Every page, for a role that may open it and one that may not; the forms' round trips."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mupaka.loans import services
from mupaka.loans.models import (
    GroupLoan,
    Loan,
    LoanProduct,
    LoanRequest,
    LoanStatus,
    LoanTransaction,
)
from mupaka.loans.services import CashFlowData, ShareData
from mupaka.loans.tests.conftest import key, usd

pytestmark = pytest.mark.django_db

FLOW = CashFlowData(daily_sales="60", daily_purchases="30", household_costs="60")


def client_for(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["mupaka_language"] = language
    return client


@pytest.fixture
def loans(staff, member, member_factory, trader_product, group_product, umoja, till):
    submitted = services.loan_apply(
        actor=staff["officer"],
        member=member,
        product=trader_product,
        principal=usd("300"),
        purpose="Stock",
        cash_flow=FLOW,
    )
    approved = services.loan_apply(
        actor=staff["officer"],
        member=member_factory("Neema"),
        product=trader_product,
        principal=usd("300"),
        purpose="Stock",
        cash_flow=FLOW,
    )
    services.loan_approve(actor=staff["committee"], loan=approved)
    active = services.loan_apply(
        actor=staff["officer"],
        member=member_factory("Mapendo"),
        product=trader_product,
        principal=usd("300"),
        purpose="Stock",
        cash_flow=FLOW,
    )
    services.loan_approve(actor=staff["committee"], loan=active)
    services.loan_disburse(actor=staff["teller"], loan=active, idempotency_key=key())
    group, members = umoja
    g = services.group_loan_apply(
        actor=staff["officer"],
        group=group,
        product=group_product,
        shares=[ShareData(member=m, principal=usd("100")) for m in members[:3]],
        purpose="Commerce",
    )
    return {"submitted": submitted, "approved": approved, "active": active, "group": g}


def pages(loans, trader_product):
    a, s, g = loans["active"].pk, loans["submitted"].pk, loans["group"].pk
    group_id = loans["group"].group_id
    return {
        ("loans:loan_list", ()): ("loan.view", "teller", "coordinator"),
        ("loans:apply", ()): ("loan.apply", "officer", "teller"),
        ("loans:pipeline", ()): ("loan.approve", "committee", "officer"),
        ("loans:arrears", ()): ("loan.arrears.view", "officer", "teller"),
        ("loans:request_list", ()): ("loan.view", "manager", "coordinator"),
        ("loans:product_list", ()): ("loan_product.manage", "manager", "officer"),
        ("loans:product_create", ()): ("loan_product.manage", "manager", "committee"),
        ("loans:product_edit", (trader_product.pk,)): ("loan_product.manage", "manager", "teller"),
        ("loans:product_accounts", (trader_product.pk,)): (
            "loan_product.view",
            "accountant",
            "coordinator",
        ),
        ("loans:loan_detail", (a,)): ("loan.view", "auditor", "coordinator"),
        ("loans:loan_detail", (s,)): ("loan.view", "committee", "coordinator"),
        ("loans:disburse", (loans["approved"].pk,)): ("loan.disburse", "teller", "officer"),
        ("loans:repay", (a,)): ("loan.repay", "teller", "committee"),
        ("loans:reschedule", (a,)): ("loan.reschedule", "committee", "teller"),
        ("loans:refund", (a,)): ("loan.refund", "teller", "manager"),
        ("loans:recovery", (a,)): ("loan.recovery", "teller", "officer"),
        ("loans:disclosure", (s,)): ("loan.view", "officer", "coordinator"),
        ("loans:disclosure_pdf", (s,)): ("loan.view", "officer", "coordinator"),
        ("loans:statement_pdf", (a,)): ("loan.view", "accountant", "coordinator"),
        ("loans:group_apply", (group_id,)): ("loan.apply", "officer", "committee"),
        ("loans:group_apply_choose", ()): ("loan.apply", "officer", "teller"),
        ("loans:group_loan_detail", (g,)): ("loan.view", "committee", "coordinator"),
        ("loans:group_disclosure", (g,)): ("loan.view", "officer", "coordinator"),
        ("loans:group_disclosure_pdf", (g,)): ("loan.view", "officer", "coordinator"),
    }


def test_every_page_for_an_allowed_and_a_refused_role(staff, loans, trader_product):
    for (name, args), (_perm, allowed, refused) in pages(loans, trader_product).items():
        url = reverse(name, args=args)
        r = client_for(staff[allowed]).get(url)
        assert r.status_code == 200, (name, allowed, r.status_code)
        if name.endswith("_pdf"):
            assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
        r = client_for(staff[refused]).get(url)
        assert r.status_code == 403, (name, refused, r.status_code)


def test_post_only_views_refuse_the_wrong_role(staff, loans):
    s = loans["submitted"]
    for name, args, data in [
        ("loans:approve", (s.pk,), {}),
        ("loans:reject", (s.pk,), {"reason": "x"}),
        ("loans:group_approve", (loans["group"].pk,), {}),
        ("loans:group_reject", (loans["group"].pk,), {"reason": "x"}),
        ("loans:group_disburse", (loans["group"].pk,), {"idempotency_key": key()}),
    ]:
        r = client_for(staff["teller"] if "disburse" not in name else staff["officer"]).post(
            reverse(name, args=args), data
        )
        assert r.status_code == 403, name
    assert Loan.objects.get(pk=s.pk).status == LoanStatus.SUBMITTED


def test_officer_files_an_application_through_the_form(staff, member, trader_product):
    r = client_for(staff["officer"]).post(
        reverse("loans:apply"),
        {
            "member": member.number,
            "product": trader_product.pk,
            "principal": "300",
            "installments": "6",
            "purpose": "Stock de tomates",
            "daily_sales": "60",
            "daily_purchases": "30",
            "trading_days_per_week": "6",
            "household_costs": "60",
            "guarantor_name": "Papa Jean",
            "guarantor_phone": "+243970000099",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    loan = Loan.objects.get()
    assert r["Location"] == reverse("loans:loan_detail", args=[loan.pk])
    assert loan.guarantors.get().name == "Papa Jean"


def test_application_form_shows_the_service_refusal_by_field(staff, member, trader_product):
    r = client_for(staff["officer"]).post(
        reverse("loans:apply"),
        {
            "member": member.number,
            "product": trader_product.pk,
            "principal": "10",
            "installments": "0",
            "purpose": "Stock",
            "daily_sales": "60",
            "daily_purchases": "30",
        },
    )
    assert r.status_code == 200
    form = r.context["form"]
    assert "principal" in form.errors and "installments" in form.errors
    assert Loan.objects.count() == 0


def test_committee_approves_and_teller_disburses_and_takes_a_repayment_through_the_pages(
    staff, loans
):
    s = loans["submitted"]
    r = client_for(staff["committee"]).post(
        reverse("loans:approve", args=[s.pk]), {"approved_principal": "250"}
    )
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.status == LoanStatus.APPROVED and s.approved_principal_minor == 25000
    teller = client_for(staff["teller"])
    page = teller.get(reverse("loans:disburse", args=[s.pk]))
    k = page.context["form"].initial["idempotency_key"]
    for _ in range(2):  # a double click
        r = teller.post(
            reverse("loans:disburse", args=[s.pk]), {"channel": "cash", "idempotency_key": k}
        )
        assert r.status_code == 302
    assert LoanTransaction.objects.filter(loan=s, kind="disbursement").count() == 1
    r = teller.post(
        reverse("loans:repay", args=[s.pk]),
        {"amount": "20", "channel": "cash", "idempotency_key": key()},
    )
    assert r.status_code == 302
    r = teller.post(
        reverse("loans:repay", args=[s.pk]),
        {"amount": "-1", "channel": "cash", "idempotency_key": key()},
    )
    assert r.status_code == 200 and "amount" in r.context["form"].errors


def test_requests_from_the_loan_page(staff, loans):
    a = loans["active"]
    tx = services.loan_repay(actor=staff["teller"], loan=a, amount=usd("20"), idempotency_key=key())
    r = client_for(staff["teller"]).post(
        reverse("loans:request_create", args=[a.pk, "reversal"]),
        {"transaction": tx.pk, "reason": "Erreur"},
    )
    assert r.status_code == 302
    req = LoanRequest.objects.get()
    r = client_for(staff["teller"]).post(
        reverse("loans:request_create", args=[a.pk, "write_off"]), {"reason": "x"}
    )
    assert r.status_code == 403
    r = client_for(staff["manager"]).post(
        reverse("loans:request_approve", args=[req.pk]), {"idempotency_key": key()}
    )
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == "approved"


def test_product_form_creates_a_product(staff, chart):
    data = {
        "code": "NEW",
        "name": "Nouveau",
        "currency": "USD",
        "min_principal": "10",
        "max_principal": "100",
        "min_installments": "1",
        "max_installments": "6",
        "frequency": "months",
        "every": "1",
        "interest_method": "flat",
        "amortization": "equal-installments",
        "interest_period": "repayment",
        "days_in_year": "actual",
        "days_in_month": "actual",
        "min_rate": "12",
        "max_rate": "24",
        "grace_principal": "0",
        "grace_interest_payment": "0",
        "grace_interest_free": "0",
        "rounding": "half-even",
        "disbursement_fee": "none",
        "installment_fee": "none",
        "penalty": "none",
        "penalty_basis": "principal-interest",
        "penalty_tolerance_days": "0",
        "allocation_strategy": "component-first",
        "allocation_order": "penalties,fees,interest,principal",
        "prepayment": "scheduled",
        "guarantee_savings_percent": "0",
        "max_installment_share": "0",
        "for_individuals": "on",
        "accounting": "cash",
        "is_active": "on",
    }
    r = client_for(staff["manager"]).post(reverse("loans:product_create"), data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    assert LoanProduct.objects.get(code="NEW").max_installments == 6
    data["max_rate"] = "6"
    r = client_for(staff["manager"]).post(reverse("loans:product_create"), data | {"code": "BAD"})
    assert r.status_code == 200 and "max_rate" in r.context["form"].errors


def test_french_pages(staff, loans):
    r = client_for(staff["committee"], "fr").get(
        reverse("loans:loan_detail", args=[loans["submitted"].pk])
    )
    assert r.status_code == 200
    assert "Décision du comité" in r.content.decode()


def test_accountant_gives_a_product_its_own_account(staff, trader_product):
    url = reverse("loans:product_accounts", args=[trader_product.pk])
    r = client_for(staff["manager"]).post(url, {"role": "fee_income", "account": "7020-USD"})
    assert r.status_code == 403
    r = client_for(staff["accountant"]).post(url, {"role": "fee_income", "account": "9999-USD"})
    assert r.status_code == 200 and r.context["form"].errors
    r = client_for(staff["accountant"]).post(url, {"role": "fee_income", "account": "7000-USD"})
    assert r.status_code == 302
    from mupaka.ledger.selectors import account_for

    assert account_for("fee_income", "USD", product=trader_product).number == "7000-USD"


def test_officer_files_a_group_application_through_the_form(staff, umoja, group_product):
    group, members = umoja
    r = client_for(staff["officer"]).get(reverse("loans:group_apply_choose"))
    assert group.name in r.content.decode()
    data = {"product": group_product.pk, "installments": "12", "purpose": "Commerce"}
    for m in members:
        data[f"share_{m.pk}"] = "200"
        data[f"days_{m.pk}"] = "6"
    r = client_for(staff["officer"]).post(reverse("loans:group_apply", args=[group.pk]), data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    g = GroupLoan.objects.get()
    assert g.requested_total_minor == 100000 and g.shares.count() == 5
