"""JSON API of the loans. Serializers translate in and out; each request makes one service
call (the same services as the pages). Money-moving calls need an ``Idempotency-Key``
header, passed to the service, which wraps itself in ``idempotent(...)``. Amounts travel
as strings in the loan's currency (``"45.50"``)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from mupaka.core.api import idempotency_key
from mupaka.core.exceptions import NotFound, ValidationFailed
from mupaka.core.money import Money
from mupaka.loans import engine, selectors, services
from mupaka.loans.models import (
    Accounting,
    AllocationStrategy,
    Amortization,
    Channel,
    DaysInMonth,
    DaysInYear,
    DisbursementFee,
    Frequency,
    GroupLoan,
    InstallmentFee,
    InterestMethod,
    InterestPeriod,
    Loan,
    LoanProduct,
    LoanRequest,
    LoanStatus,
    LoanTransaction,
    OverdueBasis,
    PenaltyCalculation,
    PrepaymentMode,
    RoundingMode,
)
from mupaka.loans.services import CashFlowData, GuarantorData, ProductData, ShareData
from mupaka.members.models import Member, SolidarityGroup


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a misspelt field is not silently ignored."""

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        errors = {name: [_("Unknown field.")] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if errors and isinstance(exc.detail, dict):
                exc.detail.update(errors)
            raise
        if errors:
            raise serializers.ValidationError(errors)
        return value


def Amount(**kw) -> serializers.DecimalField:  # noqa: N802 - a field factory
    return serializers.DecimalField(max_digits=20, decimal_places=4, **kw)


def _valid(serializer_class, data) -> dict:
    s = serializer_class(data=data)
    s.is_valid(raise_exception=True)
    return s.validated_data


def _text(minor: int, currency: str) -> str:
    return str(engine.money(minor, currency).amount)


def _m(money: Money) -> str:
    """In the currency's decimals ("0.00", not "0": a summary's zero is Decimal(0))."""
    return str(money.round().amount)


# --- products -----------------------------------------------------------------------------
class LoanProductIn(StrictSerializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True)
    currency = serializers.CharField(max_length=3)
    min_principal = Amount()
    max_principal = Amount()
    min_installments = serializers.IntegerField()
    max_installments = serializers.IntegerField()
    default_installments = serializers.IntegerField(required=False, allow_null=True)
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    every = serializers.IntegerField(required=False, default=1)
    interest_method = serializers.ChoiceField(choices=InterestMethod.choices)
    amortization = serializers.ChoiceField(choices=Amortization.choices, required=False)
    interest_period = serializers.ChoiceField(choices=InterestPeriod.choices, required=False)
    days_in_year = serializers.ChoiceField(choices=DaysInYear.choices, required=False)
    days_in_month = serializers.ChoiceField(choices=DaysInMonth.choices, required=False)
    min_rate = Amount(help_text="Annual rate in percent, e.g. 24")
    max_rate = Amount()
    default_rate = Amount(required=False, allow_null=True)
    grace_principal = serializers.IntegerField(required=False, min_value=0)
    grace_interest_payment = serializers.IntegerField(required=False, min_value=0)
    grace_interest_free = serializers.IntegerField(required=False, min_value=0)
    rounding = serializers.ChoiceField(choices=RoundingMode.choices, required=False)
    installment_multiple = Amount(required=False, allow_null=True)
    disbursement_fee = serializers.ChoiceField(choices=DisbursementFee.choices, required=False)
    disbursement_fee_amount = Amount(required=False, help_text="Amount, or percent")
    disbursement_fee_deducted = serializers.BooleanField(required=False)
    installment_fee = serializers.ChoiceField(choices=InstallmentFee.choices, required=False)
    installment_fee_amount = Amount(required=False)
    penalty = serializers.ChoiceField(choices=PenaltyCalculation.choices, required=False)
    penalty_amount = Amount(required=False)
    penalty_basis = serializers.ChoiceField(choices=OverdueBasis.choices, required=False)
    penalty_tolerance_days = serializers.IntegerField(required=False, min_value=0)
    penalty_repeat_every_days = serializers.IntegerField(required=False, allow_null=True)
    allocation_strategy = serializers.ChoiceField(
        choices=AllocationStrategy.choices, required=False
    )
    allocation_order = serializers.CharField(required=False)
    prepayment = serializers.ChoiceField(choices=PrepaymentMode.choices, required=False)
    guarantee_savings_percent = Amount(required=False)
    max_installment_share = Amount(required=False)
    for_individuals = serializers.BooleanField(required=False)
    for_groups = serializers.BooleanField(required=False)
    accounting = serializers.ChoiceField(choices=Accounting.choices, required=False)
    is_active = serializers.BooleanField(required=False)


class LoanProductOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    currency = serializers.CharField()
    min_principal = serializers.CharField()
    max_principal = serializers.CharField()
    min_installments = serializers.IntegerField()
    max_installments = serializers.IntegerField()
    frequency = serializers.CharField()
    every = serializers.IntegerField()
    interest_method = serializers.CharField()
    min_rate = serializers.CharField()
    max_rate = serializers.CharField()
    default_rate = serializers.CharField()
    guarantee_savings_percent = serializers.CharField()
    max_installment_share = serializers.CharField()
    for_individuals = serializers.BooleanField()
    for_groups = serializers.BooleanField()
    is_active = serializers.BooleanField()


def product_out(p: LoanProduct) -> dict:
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "currency": p.currency,
        "min_principal": _text(p.min_principal_minor, p.currency),
        "max_principal": _text(p.max_principal_minor, p.currency),
        "min_installments": p.min_installments,
        "max_installments": p.max_installments,
        "frequency": p.frequency,
        "every": p.every,
        "interest_method": p.interest_method,
        "min_rate": p.min_rate,
        "max_rate": p.max_rate,
        "default_rate": p.default_rate,
        "guarantee_savings_percent": p.guarantee_savings_percent,
        "max_installment_share": p.max_installment_share,
        "for_individuals": p.for_individuals,
        "for_groups": p.for_groups,
        "is_active": p.is_active,
    }


class ProductCollection(APIView):
    @extend_schema(responses=LoanProductOut(many=True))
    def get(self, request):
        """Loan products."""
        return Response([product_out(p) for p in selectors.loan_product_list(user=request.user)])

    @extend_schema(request=LoanProductIn, responses={201: LoanProductOut})
    def post(self, request):
        """Create a loan product (manager)."""
        data = _valid(LoanProductIn, request.data)
        product = services.loan_product_create(actor=request.user, data=ProductData(**data))
        return Response(product_out(product), status=status.HTTP_201_CREATED)


# --- loans ---------------------------------------------------------------------------------
class LoanGuarantorIn(StrictSerializer):
    member = serializers.IntegerField(required=False, allow_null=True, help_text="member id")
    name = serializers.CharField(max_length=160, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    relation = serializers.CharField(max_length=80, required=False, allow_blank=True)


class LoanCashFlowIn(StrictSerializer):
    daily_sales = Amount()
    daily_purchases = Amount()
    trading_days_per_week = serializers.IntegerField(required=False, default=6)
    trips_per_week = serializers.IntegerField(required=False, default=0)
    cost_per_trip = Amount(required=False, default=Decimal(0))
    other_business_costs = Amount(required=False, default=Decimal(0))
    other_income = Amount(required=False, default=Decimal(0))
    household_costs = Amount(required=False, default=Decimal(0))
    other_debts = Amount(required=False, default=Decimal(0))


class LoanIn(StrictSerializer):
    member = serializers.IntegerField(help_text="member id")
    product = serializers.IntegerField(help_text="loan product id")
    principal = Amount(help_text="amount asked, in the product's currency")
    installments = serializers.IntegerField(required=False)
    annual_rate = Amount(required=False, allow_null=True)
    purpose = serializers.CharField(max_length=300)
    expected_disbursement_date = serializers.DateField(required=False, allow_null=True)
    first_due_date = serializers.DateField(required=False, allow_null=True)
    collateral = serializers.CharField(required=False, allow_blank=True)
    guarantors = LoanGuarantorIn(many=True, required=False)
    cash_flow = LoanCashFlowIn(required=False, allow_null=True)
    override_reason = serializers.CharField(required=False, allow_blank=True)


class LoanOutstandingOut(serializers.Serializer):
    principal = serializers.CharField()
    interest = serializers.CharField()
    fees = serializers.CharField()
    penalties = serializers.CharField()
    total = serializers.CharField()


class LoanCostOut(serializers.Serializer):
    principal = serializers.CharField()
    total_interest = serializers.CharField()
    fees = serializers.CharField(help_text="disbursement and instalment fees")
    guarantee = serializers.CharField(help_text="guarantee savings held back")
    net_disbursed = serializers.CharField(help_text="what she receives")
    total_to_repay = serializers.CharField()
    total_cost = serializers.CharField(help_text="interest + fees")


class LoanOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    member = serializers.DictField()
    product = serializers.CharField()
    currency = serializers.CharField()
    group_loan = serializers.IntegerField(allow_null=True)
    requested_principal = serializers.CharField()
    approved_principal = serializers.CharField(allow_null=True)
    annual_rate = serializers.CharField()
    installments = serializers.IntegerField()
    disbursed_on = serializers.DateField(allow_null=True)
    maturity_date = serializers.DateField(allow_null=True)
    restructured = serializers.BooleanField()
    outstanding = LoanOutstandingOut()
    overdue = serializers.CharField()
    due_today = serializers.CharField()
    days_past_due = serializers.IntegerField()
    next_due_date = serializers.DateField(allow_null=True)
    next_due = serializers.CharField()
    payoff = serializers.CharField()
    credit_balance = serializers.CharField()
    apr = serializers.CharField()
    eir = serializers.CharField()
    cost = LoanCostOut(help_text="the disclosure sheet's figures (provisional before disbursement)")


def _loan_head(loan: Loan) -> dict:
    """What every answer about a loan starts with (the full one and the list's)."""
    cur = loan.currency
    return {
        "id": loan.pk,
        "number": loan.number,
        "status": loan.status,
        "member": {
            "id": loan.member_id,
            "number": loan.member.number,
            "name": loan.member.full_name,
        },
        "product": loan.product.code,
        "currency": cur,
        "group_loan": loan.group_loan_id,
        "approved_principal": _text(loan.approved_principal_minor, cur)
        if loan.approved_principal_minor
        else None,
    }


def loan_out(loan: Loan) -> dict:
    s = selectors.loan_summary(loan)
    disclosure = selectors.disclosure(loan)
    cur = loan.currency
    return {
        **_loan_head(loan),
        "requested_principal": _text(loan.requested_principal_minor, cur),
        "annual_rate": loan.annual_rate,
        "installments": loan.installments,
        "disbursed_on": loan.disbursed_on,
        "maturity_date": loan.maturity_date,
        "restructured": loan.restructured,
        "outstanding": {
            "principal": _m(s.principal),
            "interest": _m(s.interest),
            "fees": _m(s.fees),
            "penalties": _m(s.penalties),
            "total": _m(s.total),
        },
        "overdue": _m(s.overdue),
        "due_today": _m(s.due_today),
        "days_past_due": s.days_past_due,
        "next_due_date": s.next_due_date,
        "next_due": _m(s.next_due),
        "payoff": _m(s.payoff),
        "credit_balance": _m(s.credit),
        "apr": str(disclosure.apr),
        "eir": str(disclosure.eir),
        "cost": {
            "principal": _m(disclosure.principal),
            "total_interest": _m(disclosure.total_interest),
            "fees": _m(disclosure.total_fees + disclosure.upfront_fees),
            "guarantee": _m(disclosure.guarantee),
            "net_disbursed": _m(disclosure.net_disbursed),
            "total_to_repay": _m(disclosure.total_to_repay),
            "total_cost": _m(disclosure.total_cost),
        },
    }


class LoanTransactionOut(serializers.Serializer):
    id = serializers.IntegerField()
    loan = serializers.IntegerField()
    kind = serializers.CharField()
    on_date = serializers.DateField()
    amount = serializers.CharField()
    principal = serializers.CharField()
    interest = serializers.CharField()
    fees = serializers.CharField()
    penalties = serializers.CharField()
    credit = serializers.CharField()
    guarantee = serializers.CharField()
    journal_entry = serializers.IntegerField(allow_null=True)
    reversed = serializers.BooleanField()


def tx_out(tx: LoanTransaction) -> dict:
    cur = tx.currency
    return {
        "id": tx.pk,
        "loan": tx.loan_id,
        "kind": tx.kind,
        "on_date": tx.on_date,
        "amount": _text(tx.amount_minor, cur),
        "principal": _text(tx.principal_minor, cur),
        "interest": _text(tx.interest_minor, cur),
        "fees": _text(tx.fees_minor, cur),
        "penalties": _text(tx.penalties_minor, cur),
        "credit": _text(tx.credit_minor, cur),
        "guarantee": _text(tx.guarantee_minor, cur),
        "journal_entry": tx.journal_entry_id,
        "reversed": tx.reversed,
    }


class LoanRequestOut(serializers.Serializer):
    id = serializers.IntegerField()
    loan = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField()
    transaction = serializers.IntegerField(allow_null=True)


def request_out(r: LoanRequest) -> dict:
    return {
        "id": r.pk,
        "loan": r.loan_id,
        "kind": r.kind,
        "status": r.status,
        "reason": r.reason,
        "transaction": r.transaction_id,
    }


def _member(user, member_id: int, field: str = "member") -> Member:
    from mupaka.members.selectors import member_get

    try:
        return member_get(user=user, member_id=member_id)
    except NotFound:
        raise ValidationFailed(_("No member with this id."), field=field)


def _product(user, product_id: int) -> LoanProduct:
    try:
        return selectors.loan_product_get(user=user, product_id=product_id)
    except NotFound:
        raise ValidationFailed(_("No loan product with this id."), field="product")


def _cash_flow(data) -> CashFlowData | None:
    return CashFlowData(**data) if data else None


class LoanBriefOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    member = serializers.DictField()
    product = serializers.CharField()
    currency = serializers.CharField()
    group_loan = serializers.IntegerField(allow_null=True)
    approved_principal = serializers.CharField(allow_null=True)
    principal_outstanding = serializers.CharField()
    next_due_date = serializers.DateField(allow_null=True)
    next_due = serializers.CharField()


def loan_brief(loan: Loan) -> dict:
    cur = loan.currency
    return {
        **_loan_head(loan),
        "principal_outstanding": _text(loan.principal_outstanding_minor, cur),
        "next_due_date": loan.next_due_date,
        "next_due": _text(loan.next_due_minor, cur),
    }


class LoanCreate(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("member", int, description="member id"),
            OpenApiParameter("status", str, enum=[s.value for s in LoanStatus]),
            OpenApiParameter("search", str, description="loan number, member number or name"),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses=LoanBriefOut(many=True),
    )
    def get(self, request):
        """Loans the caller sees (her branch), newest first: e.g. a member's active loans
        (``?member=&status=active``); ``GET /loans/{id}`` gives the full state."""
        q = request.query_params
        status_ = q.get("status", "")
        if status_ and status_ not in LoanStatus.values:
            raise ValidationFailed(_("Unknown status."), field="status")
        member = None
        if q.get("member"):
            try:
                member = _member(request.user, int(q["member"]))
            except ValueError:
                raise ValidationFailed(_("No member with this id."), field="member")
        paginator = LimitOffsetPagination()
        paginator.default_limit = 50
        page = paginator.paginate_queryset(
            selectors.loan_list(
                user=request.user, status=status_, query=q.get("search", ""), member=member
            ),
            request,
            view=self,
        )
        return paginator.get_paginated_response([loan_brief(loan) for loan in page])

    @extend_schema(request=LoanIn, responses={201: LoanOut})
    def post(self, request):
        """File a loan application for a member (loan officer)."""
        data = _valid(LoanIn, request.data)
        product = _product(request.user, data["product"])
        member = _member(request.user, data["member"])
        guarantors = [
            GuarantorData(
                member=_member(request.user, g["member"], "guarantors")
                if g.get("member")
                else None,
                name=g.get("name", ""),
                phone=g.get("phone", ""),
                relation=g.get("relation", ""),
            )
            for g in data.get("guarantors", [])
        ]
        loan = services.loan_apply(
            actor=request.user,
            member=member,
            product=product,
            principal=Money(data["principal"], product.currency),
            installments=data.get("installments"),
            annual_rate=data.get("annual_rate"),
            purpose=data["purpose"],
            expected_disbursement_date=data.get("expected_disbursement_date"),
            first_due_date=data.get("first_due_date"),
            collateral=data.get("collateral", ""),
            guarantors=guarantors,
            cash_flow=_cash_flow(data.get("cash_flow")),
            override_reason=data.get("override_reason", ""),
        )
        return Response(loan_out(loan), status=status.HTTP_201_CREATED)


class LoanDetail(APIView):
    @extend_schema(responses=LoanOut)
    def get(self, request, pk: int):
        """A loan: status, what is outstanding by component, overdue, days past due."""
        return Response(loan_out(selectors.loan_get(user=request.user, loan_id=pk)))


class ArrearsMemberOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()


class ArrearsGroupOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    leader = serializers.CharField(allow_null=True)
    leader_phone = serializers.CharField(allow_null=True)


class ArrearsRowOut(serializers.Serializer):
    loan = serializers.IntegerField()
    number = serializers.CharField()
    member = ArrearsMemberOut()
    group = ArrearsGroupOut(allow_null=True)
    currency = serializers.CharField()
    days_past_due = serializers.IntegerField()
    overdue = serializers.CharField()
    principal_outstanding = serializers.CharField()
    officer = serializers.CharField(allow_null=True)


def arrears_row(loan: Loan) -> dict:
    cur = loan.currency
    group = None
    if loan.group_loan_id:
        leader = loan.group_loan.leader
        group = {
            "id": loan.group_loan.group_id,
            "name": loan.group_loan.group.name,
            "leader": leader.full_name if leader else None,
            "leader_phone": leader.phone if leader else None,
        }
    return {
        "loan": loan.pk,
        "number": loan.number,
        "member": {
            "id": loan.member_id,
            "number": loan.member.number,
            "name": loan.member.full_name,
            "phone": loan.member.phone,
        },
        "group": group,
        "currency": cur,
        "days_past_due": loan.late_for.days,
        "overdue": _text(loan.overdue_now_minor, cur),
        "principal_outstanding": _text(loan.principal_outstanding_minor, cur),
        "officer": loan.officer.get_username() if loan.officer_id else None,
    }


class LoanArrears(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("min_days", int, description="late by at least (default 1)"),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses=ArrearsRowOut(many=True),
    )
    def get(self, request):
        """Late loans as of the business date, most late first, with the member's phone
        and, for a group loan, the group leader's (the officer's follow-up list)."""
        raw = request.query_params.get("min_days") or "1"
        try:
            min_days = max(int(raw), 1)
        except ValueError:
            raise ValidationFailed(_("Give a whole number of days."), field="min_days")
        paginator = LimitOffsetPagination()
        paginator.default_limit = 100
        page = paginator.paginate_queryset(
            selectors.arrears_list(user=request.user, min_days=min_days), request, view=self
        )
        return paginator.get_paginated_response([arrears_row(loan) for loan in page])


class LoanScheduleRowOut(serializers.Serializer):
    number = serializers.IntegerField()
    due_date = serializers.DateField()
    principal = serializers.CharField()
    interest = serializers.CharField()
    fees = serializers.CharField()
    penalties = serializers.CharField()
    total = serializers.CharField()
    paid = serializers.CharField()
    waived = serializers.CharField()
    outstanding = serializers.CharField()
    completed_on = serializers.DateField(allow_null=True)


class LoanScheduleOut(serializers.Serializer):
    loan = serializers.IntegerField()
    currency = serializers.CharField()
    provisional = serializers.BooleanField()
    installments = LoanScheduleRowOut(many=True)


class LoanSchedule(APIView):
    @extend_schema(responses=LoanScheduleOut)
    def get(self, request, pk: int):
        """The loan's schedule with what is paid and outstanding on each instalment."""
        from mupaka.core.selectors import business_date_get

        loan = selectors.loan_get(user=request.user, loan_id=pk)
        view = selectors.loan_view(loan)
        money = view.schedule.terms.money
        rows = selectors.schedule_rows(view, business_date_get())
        return Response(
            {
                "loan": loan.pk,
                "currency": loan.currency,
                "provisional": loan.schedule_version == 0,
                "installments": [
                    {
                        "number": r.number,
                        "due_date": r.due_date,
                        **{
                            k: money.fmt(getattr(r, k))
                            for k in (
                                "principal",
                                "interest",
                                "fees",
                                "penalties",
                                "total",
                                "paid",
                                "waived",
                                "outstanding",
                            )
                        },
                        "completed_on": r.completed_on,
                    }
                    for r in rows
                ],
            }
        )


class LoanApproveIn(StrictSerializer):
    approved_principal = Amount(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)


class LoanApprove(APIView):
    @extend_schema(request=LoanApproveIn, responses=LoanOut)
    def post(self, request, pk: int):
        """Approve an application (credit committee; not the person who filed it)."""
        loan = selectors.loan_get(user=request.user, loan_id=pk)
        data = _valid(LoanApproveIn, request.data)
        amount = data.get("approved_principal")
        loan = services.loan_approve(
            actor=request.user,
            loan=loan,
            approved_principal=Money(amount, loan.currency) if amount is not None else None,
            note=data.get("note", ""),
        )
        return Response(loan_out(loan))


class LoanReasonIn(StrictSerializer):
    reason = serializers.CharField()


class LoanReject(APIView):
    @extend_schema(request=LoanReasonIn, responses=LoanOut)
    def post(self, request, pk: int):
        """Reject an application, with the reason."""
        loan = selectors.loan_get(user=request.user, loan_id=pk)
        data = _valid(LoanReasonIn, request.data)
        return Response(
            loan_out(services.loan_reject(actor=request.user, loan=loan, reason=data["reason"]))
        )


class LoanWithdraw(APIView):
    @extend_schema(
        request=LoanReasonIn,
        responses={
            200: LoanOut,
            409: OpenApiResponse(description="already withdrawn (code already_withdrawn)"),
        },
    )
    def post(self, request, pk: int):
        """Withdraw an application, submitted or approved, before disbursement, with the
        reason (a loan officer of the branch or the manager). Nothing moves in the ledger,
        so no Idempotency-Key; a second call answers 409 ``already_withdrawn``."""
        loan = selectors.loan_get(user=request.user, loan_id=pk)
        data = _valid(LoanReasonIn, request.data)
        return Response(
            loan_out(services.loan_withdraw(actor=request.user, loan=loan, reason=data["reason"]))
        )


class LoanDisburseIn(StrictSerializer):
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.CASH)


class LoanDisburse(APIView):
    @extend_schema(request=LoanDisburseIn, responses={201: LoanTransactionOut})
    def post(self, request, pk: int):
        """Disburse an approved loan (teller). Needs an Idempotency-Key header."""
        key = idempotency_key(request)
        loan = selectors.loan_get(user=request.user, loan_id=pk)
        data = _valid(LoanDisburseIn, request.data)
        tx = services.loan_disburse(
            actor=request.user, loan=loan, channel=data["channel"], idempotency_key=key
        )
        return Response(tx_out(tx), status=status.HTTP_201_CREATED)


class LoanRepaymentIn(StrictSerializer):
    amount = Amount()
    currency = serializers.CharField(max_length=3, required=False, help_text="default: the loan's")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.CASH)
    paid_by = serializers.IntegerField(required=False, allow_null=True, help_text="member id")
    memo = serializers.CharField(required=False, allow_blank=True, max_length=300)


class LoanRepayments(APIView):
    @extend_schema(request=LoanRepaymentIn, responses={201: LoanTransactionOut})
    def post(self, request, pk: int):
        """Take a repayment (teller). Needs an Idempotency-Key header."""
        key = idempotency_key(request)
        loan = selectors.loan_get(user=request.user, loan_id=pk)
        data = _valid(LoanRepaymentIn, request.data)
        currency = (data.get("currency") or loan.currency).upper()
        try:
            amount = Money(data["amount"], currency)
        except ValueError:
            raise ValidationFailed(
                _("Unknown currency code: %(code)s.") % {"code": currency}, field="currency"
            )
        paid_by = _member(request.user, data["paid_by"], "paid_by") if data.get("paid_by") else None
        tx = services.loan_repay(
            actor=request.user,
            loan=loan,
            amount=amount,
            channel=data["channel"],
            paid_by=paid_by,
            memo=data.get("memo", ""),
            idempotency_key=key,
        )
        return Response(tx_out(tx), status=status.HTTP_201_CREATED)


class LoanRepaymentReverse(APIView):
    @extend_schema(
        request=LoanReasonIn,
        responses={202: OpenApiResponse(LoanRequestOut, description="waiting for a second person")},
    )
    def post(self, request, pk: int, tx: int):
        """Ask for the reversal of a repayment. Another person approves it with
        ``POST /loan-requests/{id}/approve``."""
        loan = selectors.loan_get(user=request.user, loan_id=pk)
        data = _valid(LoanReasonIn, request.data)
        req = services.loan_request_create(
            actor=request.user, loan=loan, kind="reversal", reason=data["reason"], transaction=tx
        )
        return Response(request_out(req), status=status.HTTP_202_ACCEPTED)


class LoanRecoveryIn(StrictSerializer):
    amount = Amount()
    currency = serializers.CharField(max_length=3, required=False, help_text="default: the loan's")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.CASH)


class LoanRecoveries(APIView):
    @extend_schema(request=LoanRecoveryIn, responses={201: LoanTransactionOut})
    def post(self, request, pk: int):
        """Money recovered on a written-off loan (teller), posted as income up to what was
        written off. Needs an Idempotency-Key header."""
        key = idempotency_key(request)
        loan = selectors.loan_get(user=request.user, loan_id=pk)
        data = _valid(LoanRecoveryIn, request.data)
        currency = (data.get("currency") or loan.currency).upper()
        try:
            amount = Money(data["amount"], currency)
        except ValueError:
            raise ValidationFailed(
                _("Unknown currency code: %(code)s.") % {"code": currency}, field="currency"
            )
        tx = services.loan_recovery(
            actor=request.user,
            loan=loan,
            amount=amount,
            channel=data["channel"],
            idempotency_key=key,
        )
        return Response(tx_out(tx), status=status.HTTP_201_CREATED)


class LoanRescheduleIn(StrictSerializer):
    installments = serializers.IntegerField()
    annual_rate = Amount(required=False, allow_null=True)
    grace_principal = serializers.IntegerField(required=False, default=0)
    grace_interest_payment = serializers.IntegerField(required=False, default=0)
    grace_interest_free = serializers.IntegerField(required=False, default=0)
    reason = serializers.CharField()


class LoanReschedule(APIView):
    @extend_schema(request=LoanRescheduleIn, responses=LoanOut)
    def post(self, request, pk: int):
        """Reschedule a loan (once: the BCC allows one prorogation)."""
        loan = selectors.loan_get(user=request.user, loan_id=pk)
        data = _valid(LoanRescheduleIn, request.data)
        loan = services.loan_reschedule(actor=request.user, loan=loan, **data)
        return Response(loan_out(loan))


class LoanWriteOff(APIView):
    @extend_schema(
        request=LoanReasonIn,
        responses={202: OpenApiResponse(LoanRequestOut, description="waiting for a second person")},
    )
    def post(self, request, pk: int):
        """Ask for a write-off. Another person approves it with
        ``POST /loan-requests/{id}/approve``."""
        loan = selectors.loan_get(user=request.user, loan_id=pk)
        data = _valid(LoanReasonIn, request.data)
        req = services.loan_request_create(
            actor=request.user, loan=loan, kind="write_off", reason=data["reason"]
        )
        return Response(request_out(req), status=status.HTTP_202_ACCEPTED)


class LoanWaiverIn(StrictSerializer):
    component = serializers.ChoiceField(
        choices=[("interest", "interest"), ("fees", "fees"), ("penalties", "penalties")]
    )
    amount = Amount()
    installment = serializers.IntegerField(required=False, allow_null=True)
    reason = serializers.CharField()


class LoanWaivers(APIView):
    @extend_schema(
        request=LoanWaiverIn,
        responses={202: OpenApiResponse(LoanRequestOut, description="waiting for a second person")},
    )
    def post(self, request, pk: int):
        """Ask to waive interest, fees or penalties (approved by another person)."""
        loan = selectors.loan_get(user=request.user, loan_id=pk)
        data = _valid(LoanWaiverIn, request.data)
        req = services.loan_request_create(
            actor=request.user,
            loan=loan,
            kind="waiver",
            reason=data["reason"],
            component=data["component"],
            amount=Money(data["amount"], loan.currency),
            installment=data.get("installment"),
        )
        return Response(request_out(req), status=status.HTTP_202_ACCEPTED)


class LoanNoteIn(StrictSerializer):
    note = serializers.CharField(required=False, allow_blank=True)


def _request(user, pk: int) -> LoanRequest:
    found = selectors.loan_requests(user=user, status="").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such request."))
    return found


class RequestApprove(APIView):
    @extend_schema(request=LoanNoteIn, responses=LoanRequestOut)
    def post(self, request, pk: int):
        """Approve and carry out a write-off, waiver or reversal asked by someone else.
        Needs an Idempotency-Key header."""
        key = idempotency_key(request)
        req = _request(request.user, pk)
        data = _valid(LoanNoteIn, request.data)
        req = services.loan_request_approve(
            actor=request.user, request=req, note=data.get("note", ""), idempotency_key=key
        )
        return Response(request_out(req))


class RequestReject(APIView):
    @extend_schema(request=LoanNoteIn, responses=LoanRequestOut)
    def post(self, request, pk: int):
        """Refuse a request, with the reason."""
        req = _request(request.user, pk)
        data = _valid(LoanNoteIn, request.data)
        req = services.loan_request_reject(
            actor=request.user, request=req, note=data.get("note", "")
        )
        return Response(request_out(req))


# --- group loans ------------------------------------------------------------------------
class LoanShareIn(StrictSerializer):
    member = serializers.IntegerField(help_text="member id")
    principal = Amount()
    cash_flow = LoanCashFlowIn(required=False, allow_null=True)
    override_reason = serializers.CharField(required=False, allow_blank=True)


class GroupLoanIn(StrictSerializer):
    group = serializers.IntegerField(help_text="solidarity group id")
    product = serializers.IntegerField()
    shares = LoanShareIn(many=True)
    purpose = serializers.CharField(max_length=300)
    installments = serializers.IntegerField(required=False)
    annual_rate = Amount(required=False, allow_null=True)
    expected_disbursement_date = serializers.DateField(required=False, allow_null=True)
    collateral = serializers.CharField(required=False, allow_blank=True)


class GroupLoanOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    group = serializers.DictField()
    currency = serializers.CharField()
    requested_total = serializers.CharField()
    approved_total = serializers.CharField(allow_null=True)
    joint_liability = serializers.BooleanField()
    shares = LoanOut(many=True)


def group_out(g: GroupLoan) -> dict:
    return {
        "id": g.pk,
        "number": g.number,
        "status": g.status,
        "group": {"id": g.group_id, "name": g.group.name, "leader": g.leader_id},
        "currency": g.currency,
        "requested_total": _text(g.requested_total_minor, g.currency),
        "approved_total": _text(g.approved_total_minor, g.currency)
        if g.approved_total_minor
        else None,
        "joint_liability": g.joint_liability,
        "shares": [loan_out(s) for s in selectors.group_loan_shares(g)],
    }


class GroupLoanCreate(APIView):
    @extend_schema(request=GroupLoanIn, responses={201: GroupLoanOut})
    def post(self, request):
        """File a solidarity group's application: one share per member."""
        from mupaka.members.selectors import group_get

        data = _valid(GroupLoanIn, request.data)
        product = _product(request.user, data["product"])
        try:
            group: SolidarityGroup = group_get(user=request.user, group_id=data["group"])
        except NotFound:
            raise ValidationFailed(_("No solidarity group with this id."), field="group")
        shares = [
            ShareData(
                member=_member(request.user, s["member"], "shares"),
                principal=Money(s["principal"], product.currency),
                cash_flow=_cash_flow(s.get("cash_flow")),
                override_reason=s.get("override_reason", ""),
            )
            for s in data["shares"]
        ]
        g = services.group_loan_apply(
            actor=request.user,
            group=group,
            product=product,
            shares=shares,
            purpose=data["purpose"],
            installments=data.get("installments"),
            annual_rate=data.get("annual_rate"),
            expected_disbursement_date=data.get("expected_disbursement_date"),
            collateral=data.get("collateral", ""),
        )
        return Response(group_out(g), status=status.HTTP_201_CREATED)


class GroupLoanDetail(APIView):
    @extend_schema(responses=GroupLoanOut)
    def get(self, request, pk: int):
        return Response(group_out(selectors.group_loan_get(user=request.user, group_loan_id=pk)))


class GroupLoanApproveIn(StrictSerializer):
    approved = serializers.DictField(
        child=Amount(), required=False, help_text="share loan id → amount approved (0: left out)"
    )
    note = serializers.CharField(required=False, allow_blank=True)


class GroupLoanApprove(APIView):
    @extend_schema(request=GroupLoanApproveIn, responses=GroupLoanOut)
    def post(self, request, pk: int):
        """Approve a group's application, share by share."""
        g = selectors.group_loan_get(user=request.user, group_loan_id=pk)
        data = _valid(GroupLoanApproveIn, request.data)
        approved = {}
        for raw_id, amount in (data.get("approved") or {}).items():
            try:
                approved[int(raw_id)] = Money(amount, g.currency)
            except ValueError:
                raise ValidationFailed(_("Share ids are loan ids."), field="approved")
        g = services.group_loan_approve(
            actor=request.user, group_loan=g, approved=approved, note=data.get("note", "")
        )
        return Response(group_out(g))


class GroupLoanReject(APIView):
    @extend_schema(request=LoanReasonIn, responses=GroupLoanOut)
    def post(self, request, pk: int):
        g = selectors.group_loan_get(user=request.user, group_loan_id=pk)
        data = _valid(LoanReasonIn, request.data)
        return Response(
            group_out(
                services.group_loan_reject(actor=request.user, group_loan=g, reason=data["reason"])
            )
        )


class GroupLoanWithdraw(APIView):
    @extend_schema(
        request=LoanReasonIn,
        responses={
            200: GroupLoanOut,
            409: OpenApiResponse(description="already withdrawn (code already_withdrawn)"),
        },
    )
    def post(self, request, pk: int):
        """Withdraw a group's application and its members' shares before disbursement,
        with the reason. No Idempotency-Key; a second call answers 409."""
        g = selectors.group_loan_get(user=request.user, group_loan_id=pk)
        data = _valid(LoanReasonIn, request.data)
        return Response(
            group_out(
                services.group_loan_withdraw(
                    actor=request.user, group_loan=g, reason=data["reason"]
                )
            )
        )


class GroupLoanDisburse(APIView):
    @extend_schema(request=None, responses={201: LoanTransactionOut(many=True)})
    def post(self, request, pk: int):
        """Disburse every approved share in cash (teller). Needs an Idempotency-Key header."""
        key = idempotency_key(request)
        g = selectors.group_loan_get(user=request.user, group_loan_id=pk)
        txs = services.group_loan_disburse(actor=request.user, group_loan=g, idempotency_key=key)
        return Response([tx_out(t) for t in txs], status=status.HTTP_201_CREATED)
