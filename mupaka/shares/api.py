"""JSON API for member shares: buy shares (with the entry fee when unpaid), read a
member's holding, and redeem her shares with a second person (maker-checker): one person
asks (202, the request waits), another approves or rejects it, the teller pays it.
Asking and paying need an ``Idempotency-Key`` header; paying in cash, the caller's open
till."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from mupaka.core.api import idempotency_key
from mupaka.core.exceptions import NotFound, ValidationFailed
from mupaka.core.idempotency import idempotent
from mupaka.core.permissions import require_perm
from mupaka.members.selectors import member_get
from mupaka.savings.api import StrictSerializer
from mupaka.shares import selectors, services
from mupaka.shares.models import RedemptionStatus, ShareRedemption

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A unique key per operation: a retry with the same key does it once.",
)


class PurchaseIn(StrictSerializer):
    shares = serializers.IntegerField(
        min_value=0, max_value=100_000, help_text="0: the entry fee alone"
    )
    channel = serializers.ChoiceField(choices=["cash", "savings"], required=False)
    savings_account = serializers.IntegerField(
        required=False, help_text="channel savings: the account the money comes from"
    )


PURCHASE_OUT = inline_serializer(
    "SharePurchaseOut",
    {
        "holding": serializers.IntegerField(),
        "member": serializers.IntegerField(),
        "currency": serializers.CharField(),
        "shares_bought": serializers.IntegerField(),
        "shares_held": serializers.IntegerField(),
        "shares_amount": serializers.CharField(),
        "entry_fee": serializers.CharField(),
        "total": serializers.CharField(),
        "entry": serializers.IntegerField(),
        "member_activated": serializers.BooleanField(),
        "replayed": serializers.BooleanField(),
    },
)
HOLDING_OUT = inline_serializer(
    "ShareHoldingOut",
    {
        "member": serializers.IntegerField(),
        "member_status": serializers.CharField(),
        "shares": serializers.IntegerField(),
        "paid": serializers.CharField(),
        "currency": serializers.CharField(),
        "entry_fee_paid_date": serializers.DateField(allow_null=True),
    },
)


class MemberShares(APIView):
    @extend_schema(responses=HOLDING_OUT)
    def get(self, request, pk: int):
        """The member's shares and whether her entry fee is paid."""
        require_perm(request.user, "shares.view")
        member = member_get(user=request.user, member_id=pk)
        holding = selectors.holding_for(member)
        product = selectors.share_product()
        currency = holding.currency if holding else (product.currency if product else "")
        if holding is not None:
            paid = str(holding.paid.amount)
        else:  # nothing paid yet: zero in the currency's decimals ("0.00"), as elsewhere
            paid = str(product.money(0).amount) if product else "0"
        return Response(
            {
                "member": member.pk,
                "member_status": member.status,
                "shares": holding.shares if holding else 0,
                "paid": paid,
                "currency": currency,
                "entry_fee_paid_date": holding.entry_fee_paid_date if holding else None,
            }
        )

    @extend_schema(
        request=PurchaseIn,
        responses={201: PURCHASE_OUT},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk: int):
        """Buy member shares at the caller's till (or from a savings account); the entry fee
        is taken with the first purchase. A pending member who pays the fee and the minimum
        number of shares becomes active (``member_activated``)."""
        key = idempotency_key(request)
        data = PurchaseIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        member = member_get(user=request.user, member_id=pk)
        account = None
        if d.get("savings_account") is not None:
            from mupaka.savings.selectors import account_get

            try:
                account = account_get(user=request.user, account_id=d["savings_account"])
            except NotFound:
                raise ValidationFailed(
                    _("No savings account with this id."), field="savings_account"
                )
        result = idempotent(
            key=key,
            scope="shares.purchase",
            actor=request.user,
            payload={"member": pk, **request.data},
            run=lambda: services.shares_purchase(
                actor=request.user,
                member=member,
                shares=d["shares"],
                idempotency_key=key,
                channel=d.get("channel", "cash"),
                savings_account=account,
            ).as_dict(),
        )
        body = dict(result.response)
        body["replayed"] = result.replayed or body.get("replayed", False)
        return Response(
            body, status=status.HTTP_200_OK if result.replayed else status.HTTP_201_CREATED
        )


# --- redemption: asked by one person, approved or rejected by another, paid by the teller --------
class RedemptionIn(StrictSerializer):
    shares = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=100_000,
        help_text="default: all her shares (she leaves); what she keeps stays at the minimum",
    )
    reason = serializers.CharField(max_length=300)


class DecisionIn(StrictSerializer):
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="required to reject"
    )


class RedemptionPayIn(StrictSerializer):
    channel = serializers.ChoiceField(
        choices=[("cash", "cash from the till"), ("savings", "into her savings account")],
        required=False,
    )
    savings_account = serializers.IntegerField(
        required=False, help_text="channel savings: her account the money goes to"
    )


class RedemptionOut(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.IntegerField()
    member_number = serializers.CharField()
    member_name = serializers.CharField()
    shares = serializers.IntegerField()
    amount = serializers.CharField()
    currency = serializers.CharField()
    reason = serializers.CharField()
    status = serializers.CharField(help_text="pending, approved, paid or rejected")
    requested_by = serializers.CharField()
    requested_date = serializers.DateField()
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()
    entry = serializers.IntegerField(allow_null=True, help_text="the payment's journal entry")


def redemption_out(r: ShareRedemption) -> dict:
    member = r.holding.member
    return {
        "id": r.pk,
        "member": member.pk,
        "member_number": member.number,
        "member_name": member.full_name,
        "shares": r.shares,
        "amount": str(r.amount.amount),
        "currency": r.holding.currency,
        "reason": r.reason,
        "status": r.status,
        "requested_by": r.requested_by.username,
        "requested_date": r.requested_date.isoformat(),
        "decided_by": r.decided_by.username if r.decided_by_id else None,
        "decided_at": r.decided_at.isoformat() if r.decided_at else None,
        "decision_note": r.decision_note,
        "entry": r.transaction.entry_id if r.transaction_id else None,
    }


def _redemption(user, pk: int) -> ShareRedemption:
    return selectors.redemption_get(user=user, redemption_id=pk)


class MemberRedemptions(APIView):
    @extend_schema(
        request=RedemptionIn,
        responses={202: OpenApiResponse(RedemptionOut, description="waiting for a second person")},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk: int):
        """Ask to redeem her shares (loan officer, manager). Nothing moves: another person
        approves it with ``POST /share-redemptions/{id}/approve``, then the teller pays it.
        Refused while a loan of hers is not settled (``loans_not_settled``), for more shares
        than she holds (``more_than_held``), or when she would keep fewer than the minimum
        (``below_minimum``: redeem all of them if she leaves)."""
        key = idempotency_key(request)
        data = RedemptionIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        member = member_get(user=request.user, member_id=pk)
        result = idempotent(
            key=key,
            scope="shares.redeem_request",
            actor=request.user,
            payload={"member": pk, **request.data},
            run=lambda: redemption_out(
                services.shares_redeem_request(
                    actor=request.user,
                    member=member,
                    shares=d.get("shares"),
                    reason=d["reason"],
                )
            ),
        )
        return Response(result.response, status=status.HTTP_202_ACCEPTED)


STATUS_FILTERS = {
    "pending": [RedemptionStatus.PENDING],
    "approved": [RedemptionStatus.APPROVED],
    "open": [RedemptionStatus.PENDING, RedemptionStatus.APPROVED],
}


class RedemptionList(APIView):
    @extend_schema(
        responses=RedemptionOut(many=True),
        parameters=[
            OpenApiParameter(
                "status",
                str,
                OpenApiParameter.QUERY,
                required=False,
                enum=list(STATUS_FILTERS),
                description="pending (default: awaiting a decision), approved (to be paid), "
                "open (both)",
            ),
            OpenApiParameter("limit", int, OpenApiParameter.QUERY, required=False),
            OpenApiParameter("offset", int, OpenApiParameter.QUERY, required=False),
        ],
    )
    def get(self, request):
        """Redemption requests in the caller's branches, oldest first."""
        wanted = request.query_params.get("status") or "pending"
        if wanted not in STATUS_FILTERS:
            raise ValidationFailed(_("Unknown status."), field="status")
        qs = (
            selectors.redemptions_open(user=request.user)
            .filter(status__in=STATUS_FILTERS[wanted])
            .select_related("holding__member", "requested_by", "decided_by", "transaction")
            .order_by("id")
        )
        paginator = LimitOffsetPagination()
        paginator.default_limit = 50
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([redemption_out(r) for r in page])


class RedemptionDetail(APIView):
    @extend_schema(responses=RedemptionOut)
    def get(self, request, pk: int):
        """One redemption request, whatever its status."""
        return Response(redemption_out(_redemption(request.user, pk)))


class RedemptionApprove(APIView):
    @extend_schema(request=DecisionIn, responses=RedemptionOut)
    def post(self, request, pk: int):
        """Approve a redemption asked by someone else (manager, committee); her loans are
        checked again. Nothing moves until the teller pays it."""
        data = DecisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        redemption = services.shares_redeem_decide(
            actor=request.user,
            redemption=_redemption(request.user, pk),
            approve=True,
            note=data.validated_data.get("note", ""),
        )
        return Response(redemption_out(redemption))


class RedemptionReject(APIView):
    @extend_schema(request=DecisionIn, responses=RedemptionOut)
    def post(self, request, pk: int):
        """Reject a redemption asked by someone else, with the reason (``note``)."""
        data = DecisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        redemption = services.shares_redeem_decide(
            actor=request.user,
            redemption=_redemption(request.user, pk),
            approve=False,
            note=data.validated_data.get("note", ""),
        )
        return Response(redemption_out(redemption))


class RedemptionPay(APIView):
    @extend_schema(
        request=RedemptionPayIn, responses={201: RedemptionOut}, parameters=[IDEMPOTENCY_KEY]
    )
    def post(self, request, pk: int):
        """Pay an approved redemption (teller): cash from the caller's open till, or into
        her savings account in the shares' currency (``channel: savings``)."""
        key = idempotency_key(request)
        data = RedemptionPayIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        redemption = _redemption(request.user, pk)
        account = None
        if d.get("savings_account") is not None:
            from mupaka.savings.selectors import account_get

            try:
                account = account_get(user=request.user, account_id=d["savings_account"])
            except NotFound:
                raise ValidationFailed(
                    _("No savings account with this id."), field="savings_account"
                )

        def pay() -> dict:
            services.shares_redeem_pay(
                actor=request.user,
                redemption=redemption,
                idempotency_key=key,
                channel=d.get("channel", "cash"),
                savings_account=account,
            )
            return redemption_out(_redemption(request.user, pk))

        result = idempotent(
            key=key,
            scope="shares.redeem_pay",
            actor=request.user,
            payload={"redemption": pk, **request.data},
            run=pay,
        )
        return Response(
            result.response,
            status=status.HTTP_200_OK if result.replayed else status.HTTP_201_CREATED,
        )
