"""Applications, the over-indebtedness check and the committee's decision (services)."""

from __future__ import annotations

import datetime as dt

import pytest

from mupaka.core.exceptions import PermissionDenied, ValidationFailed
from mupaka.core.models import AuditLog
from mupaka.core.money import Money
from mupaka.loans import services
from mupaka.loans.models import Appraisal, GroupLoan, Guarantor, Loan, LoanStatus
from mupaka.loans.services import CashFlowData, GuarantorData, ShareData
from mupaka.loans.tests.conftest import usd

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FLOW = CashFlowData(
    daily_sales="40",
    daily_purchases="30",
    trips_per_week=6,
    cost_per_trip="1",
    household_costs="60",
)


def counts():
    return (
        Loan.objects.count(),
        Appraisal.objects.count(),
        Guarantor.objects.count(),
        AuditLog.objects.count(),
    )


def apply(staff, member, product, **kw):
    values = dict(
        actor=staff["officer"],
        member=member,
        product=product,
        principal=usd("300"),
        installments=6,
        annual_rate="30",
        purpose="Stock de tomates et de farine de manioc",
        cash_flow=FLOW,
    )
    values.update(kw)
    return services.loan_apply(**values)


def test_application_is_filed_with_appraisal_guarantor_and_provisional_terms(
    staff, member, member_factory, trader_product
):
    sister = member_factory("Neema")
    loan = apply(
        staff,
        member,
        trader_product,
        guarantors=[
            GuarantorData(member=sister, relation="sœur"),
            GuarantorData(name="Papa Jean", phone="+243970000099"),
        ],
        collateral="Stock de pagnes",
    )
    assert loan.status == LoanStatus.SUBMITTED
    assert loan.requested_principal_minor == 30000
    assert loan.filed_by == staff["officer"]
    assert loan.terms["terms"]["principal"] == "300.00"
    assert loan.guarantors.count() == 2
    a = loan.appraisal
    assert (a.disposable_income_minor, a.capacity_minor) == (17400, 8700)
    assert a.within_capacity
    assert AuditLog.objects.filter(action="loan.apply", object_id=str(loan.pk)).exists()


@pytest.mark.parametrize(
    "overrides,field,fragment",
    [
        ({"principal": usd("49.99")}, "principal", "between"),
        ({"principal": usd("2000.01")}, "principal", "between"),
        ({"principal": Money.of("300", "CDF")}, "principal", "CDF"),
        ({"installments": 0}, "installments", "at least one"),
        ({"installments": 25}, "installments", "1 to 24"),
        ({"annual_rate": "23.99"}, "annual_rate", "between 24"),
        ({"annual_rate": "36.5"}, "annual_rate", "between 24"),
        ({"annual_rate": "abc"}, "annual_rate", "number"),
        ({"purpose": " "}, "purpose", "what the loan is for"),
        ({"cash_flow": None}, "cash_flow", "appraisal"),
    ],
)
def test_bad_applications_are_refused_and_nothing_is_written(
    staff, member, trader_product, overrides, field, fragment
):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        apply(staff, member, trader_product, **overrides)
    assert field in exc.value.errors
    assert fragment in " ".join(exc.value.errors[field])
    assert counts() == before


def test_a_pending_member_cannot_borrow(staff, member_factory, trader_product):
    pending = member_factory(active=False)
    with pytest.raises(ValidationFailed) as exc:
        apply(staff, pending, trader_product)
    assert "member" in exc.value.errors


def test_over_indebtedness_refuses_then_goes_on_with_a_reason(staff, member, trader_product):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        apply(staff, member, trader_product, principal=usd("1500"), installments=6)
    assert exc.value.code == "over_indebted"
    assert "override_reason" in exc.value.errors
    assert "exceeds 50 %" in exc.value.errors["override_reason"][0]
    assert counts() == before
    loan = apply(
        staff,
        member,
        trader_product,
        principal=usd("1500"),
        installments=6,
        override_reason="Commande ferme d'un grossiste de Kamembe",
    )
    assert loan.over_indebtedness_override.startswith("Commande ferme")
    assert not loan.appraisal.within_capacity
    audit = AuditLog.objects.get(action="loan.apply", object_id=str(loan.pk))
    assert audit.reason.startswith("Commande ferme")


def test_teller_cannot_file(staff, member, trader_product):
    with pytest.raises(PermissionDenied):
        apply(staff, member, trader_product, actor=staff["teller"])


def test_committee_approves_less_than_asked(staff, member, trader_product):
    loan = apply(staff, member, trader_product)
    loan = services.loan_approve(
        actor=staff["committee"], loan=loan, approved_principal=usd("250"), note="Montant prudent"
    )
    assert loan.status == LoanStatus.APPROVED
    assert loan.approved_principal_minor == 25000
    assert loan.terms["terms"]["principal"] == "250.00"
    assert loan.decided_by == staff["committee"]


def test_approval_by_the_person_who_filed_is_refused(staff, member, trader_product):
    loan = apply(staff, member, trader_product, actor=staff["manager"])
    with pytest.raises(PermissionDenied) as exc:
        services.loan_approve(actor=staff["manager"], loan=loan)
    assert exc.value.code == "maker_checker"
    loan.refresh_from_db()
    assert loan.status == LoanStatus.SUBMITTED
    assert not AuditLog.objects.filter(action="loan.approve").exists()


@pytest.mark.parametrize(
    "amount,fragment", [("301", "never more"), ("40", "minimum"), ("0", "positive")]
)
def test_approved_amount_is_checked(staff, member, trader_product, amount, fragment):
    loan = apply(staff, member, trader_product)
    with pytest.raises(ValidationFailed) as exc:
        services.loan_approve(actor=staff["committee"], loan=loan, approved_principal=usd(amount))
    assert fragment in exc.value.errors["approved_principal"][0]


def test_rejection_needs_a_reason_and_is_final(staff, member, trader_product):
    loan = apply(staff, member, trader_product)
    with pytest.raises(ValidationFailed):
        services.loan_reject(actor=staff["committee"], loan=loan, reason="")
    loan = services.loan_reject(actor=staff["committee"], loan=loan, reason="Capacité insuffisante")
    assert loan.status == LoanStatus.REJECTED
    with pytest.raises(ValidationFailed) as exc:
        services.loan_approve(actor=staff["manager"], loan=loan)
    assert exc.value.code == "wrong_status"


def test_a_member_with_an_open_loan_cannot_exit(staff, member, trader_product):
    from mupaka.members.services import member_status_change

    apply(staff, member, trader_product)
    with pytest.raises(ValidationFailed) as exc:
        member_status_change(
            actor=staff["manager"], member=member, status="exited", reason="Départ"
        )
    assert "CR-" in exc.value.message


# --- scenario 2: the solidarity group -----------------------------------------------------
def group_flow(sales: str) -> CashFlowData:
    return CashFlowData(daily_sales=sales, daily_purchases="25", household_costs="40")


def test_scenario_2_group_application_and_committee_decision(staff, umoja, group_product):
    group, members = umoja
    group_loan = services.group_loan_apply(
        actor=staff["officer"],
        group=group,
        product=group_product,
        shares=[
            ShareData(member=m, principal=usd("200"), cash_flow=group_flow("40")) for m in members
        ],
        installments=12,
        purpose="Commerce transfrontalier de tomates et de haricots",
    )
    assert group_loan.requested_total_minor == 100000
    assert group_loan.joint_liability and group_loan.leader == members[0]
    shares = list(group_loan.shares.order_by("pk"))
    assert [s.requested_principal_minor for s in shares] == [20000] * 5
    assert all(s.appraisal for s in shares)
    with pytest.raises(PermissionDenied):
        services.group_loan_approve(actor=staff["officer"], group_loan=group_loan)
    reduced = shares[3]
    services.group_loan_approve(
        actor=staff["committee"],
        group_loan=group_loan,
        approved={reduced.pk: usd("100")},
        note="Bahati: premier crédit, montant réduit",
    )
    group_loan.refresh_from_db()
    assert group_loan.status == LoanStatus.APPROVED
    assert group_loan.approved_total_minor == 90000
    amounts = [s.approved_principal_minor for s in group_loan.shares.order_by("pk")]
    assert amounts == [20000, 20000, 20000, 10000, 20000]


def test_group_application_refusals(staff, umoja, group_product, member_factory, trader_product):
    group, members = umoja
    outsider = member_factory("Amina")
    before = (Loan.objects.count(), GroupLoan.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        services.group_loan_apply(
            actor=staff["officer"],
            group=group,
            product=group_product,
            shares=[
                ShareData(member=members[0], principal=usd("200")),
                ShareData(member=outsider, principal=usd("200")),
                ShareData(member=members[1], principal=usd("600")),
            ],
            purpose="Commerce",
        )
    text = " ".join(exc.value.errors["shares"])
    assert "not a member of the group" in text and "between" in text
    with pytest.raises(ValidationFailed) as exc:
        services.group_loan_apply(
            actor=staff["officer"],
            group=group,
            product=trader_product,
            shares=[ShareData(member=members[0], principal=usd("200"))],
            purpose="x",
        )
    assert "individual members only" in exc.value.errors["product"][0]
    assert (Loan.objects.count(), GroupLoan.objects.count()) == before


def test_group_rejection(staff, umoja, group_product):
    group, members = umoja
    g = services.group_loan_apply(
        actor=staff["officer"],
        group=group,
        product=group_product,
        shares=[ShareData(member=m, principal=usd("100")) for m in members[:3]],
        purpose="Commerce",
    )
    services.group_loan_reject(actor=staff["committee"], group_loan=g, reason="Groupe trop récent")
    assert set(g.shares.values_list("status", flat=True)) == {LoanStatus.REJECTED}


def test_expected_date_in_the_past_is_refused(staff, member, trader_product, institution):
    with pytest.raises(ValidationFailed) as exc:
        apply(
            staff,
            member,
            trader_product,
            expected_disbursement_date=institution.business_date - dt.timedelta(days=1),
        )
    assert "expected_disbursement_date" in exc.value.errors
