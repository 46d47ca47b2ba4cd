"""Withdrawing an application from the loan page and the group loan page, in French and
in English; the committee's pipeline no longer lists it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from mupaka.core.models import AuditLog
from mupaka.loans import services
from mupaka.loans.models import Loan, LoanStatus
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
def submitted(staff, member, trader_product) -> Loan:
    return services.loan_apply(
        actor=staff["officer"],
        member=member,
        product=trader_product,
        principal=usd("300"),
        purpose="Stock de pagnes",
        cash_flow=FLOW,
    )


def page(client, loan) -> str:
    return client.get(reverse("loans:loan_detail", args=[loan.pk])).content.decode()


def test_the_officer_withdraws_from_the_loan_page_in_english(staff, submitted):
    committee = client_for(staff["committee"])
    assert submitted.number in committee.get(reverse("loans:pipeline")).content.decode()
    assert "withdraw-button" not in page(committee, submitted)  # not the committee's act
    officer = client_for(staff["officer"])
    html = page(officer, submitted)
    assert "Withdraw the application" in html and "withdraw-reason" in html
    r = officer.post(
        reverse("loans:withdraw", args=[submitted.pk]),
        {"withdraw-reason": "She changed her mind"},
        follow=True,
    )
    html = r.content.decode()
    assert f"Application {submitted.number} withdrawn." in html
    assert "withdraw-button" not in html and ">Withdrawn<" in html
    assert Loan.objects.get(pk=submitted.pk).status == LoanStatus.WITHDRAWN
    assert AuditLog.objects.get(action="loan.withdraw").reason == "She changed her mind"
    assert submitted.number not in committee.get(reverse("loans:pipeline")).content.decode()


def test_the_manager_withdraws_an_approved_loan_in_french(staff, submitted):
    services.loan_approve(actor=staff["committee"], loan=submitted)
    manager = client_for(staff["manager"], "fr")
    assert "Retirer la demande" in page(manager, submitted)
    url = reverse("loans:withdraw", args=[submitted.pk])
    r = manager.post(url, {"withdraw-reason": "  "}, follow=True)
    assert "Indiquez le motif du retrait." in r.content.decode()
    assert Loan.objects.get(pk=submitted.pk).status == LoanStatus.APPROVED
    r = manager.post(url, {"withdraw-reason": "Déposée par erreur"}, follow=True)
    html = r.content.decode()
    assert f"Demande {submitted.number} retirée." in html and "Retiré<" in html
    r = manager.post(url, {"withdraw-reason": "Encore"}, follow=True)
    assert f"La demande {submitted.number} a déjà été retirée." in r.content.decode()
    assert AuditLog.objects.filter(action="loan.withdraw").count() == 1


def test_refused_roles_branches_and_a_disbursed_loan(
    staff, submitted, make_user, other_branch, till
):
    url = reverse("loans:withdraw", args=[submitted.pk])
    for role in ("teller", "committee", "accountant"):
        r = client_for(staff[role]).post(url, {"withdraw-reason": "x"})
        assert r.status_code == 403, role
    r = client_for(make_user("officer", branch_=other_branch)).post(url, {"withdraw-reason": "x"})
    assert r.status_code in (403, 404)
    assert Loan.objects.get(pk=submitted.pk).status == LoanStatus.SUBMITTED
    services.loan_approve(actor=staff["committee"], loan=submitted)
    services.loan_disburse(actor=staff["teller"], loan=submitted, idempotency_key=key())
    officer = client_for(staff["officer"], "fr")
    assert "Retirer la demande" not in page(officer, submitted)
    r = officer.post(url, {"withdraw-reason": "Trop tard"}, follow=True)
    assert "a déjà été décaissé" in r.content.decode()
    assert Loan.objects.get(pk=submitted.pk).status == LoanStatus.ACTIVE


@pytest.mark.parametrize(
    "language,button,done",
    [
        ("en", "Withdraw the application", "Group application {} withdrawn."),
        ("fr", "Retirer la demande", "Demande de groupe {} retirée."),
    ],
)
def test_the_group_application_is_withdrawn_from_its_page(
    staff, umoja, group_product, language, button, done
):
    group, members = umoja
    g = services.group_loan_apply(
        actor=staff["officer"],
        group=group,
        product=group_product,
        shares=[ShareData(member=m, principal=usd("100")) for m in members[:3]],
        purpose="Commerce",
    )
    detail = reverse("loans:group_loan_detail", args=[g.pk])
    assert button not in client_for(staff["committee"], language).get(detail).content.decode()
    refused = client_for(staff["teller"]).post(
        reverse("loans:group_withdraw", args=[g.pk]), {"withdraw-reason": "x"}
    )
    assert refused.status_code == 403
    officer = client_for(staff["officer"], language)
    assert button in officer.get(detail).content.decode()
    r = officer.post(
        reverse("loans:group_withdraw", args=[g.pk]),
        {"withdraw-reason": "Le groupe se sépare"},
        follow=True,
    )
    assert done.format(g.number) in r.content.decode()
    assert set(g.shares.values_list("status", flat=True)) == {LoanStatus.WITHDRAWN}
    pipeline = client_for(staff["committee"], language).get(reverse("loans:pipeline"))
    assert g.number not in pipeline.content.decode()
