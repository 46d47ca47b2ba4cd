"""JSON API for member shares: buy shares (with the entry fee when unpaid) and read a
member's holding. Buying moves money: ``Idempotency-Key`` header, the caller's open till
for cash."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from mupaka.core.api import idempotency_key
from mupaka.core.exceptions import NotFound, ValidationFailed
from mupaka.core.idempotency import idempotent
from mupaka.core.permissions import require_perm
from mupaka.members.selectors import member_get
from mupaka.savings.api import StrictSerializer
from mupaka.shares import selectors, services


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
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="A unique key per operation: a retry with the same key pays once.",
            )
        ],
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
