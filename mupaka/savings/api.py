"""JSON API for savings. Serializers translate in and out; each request makes one
service call. Money-moving calls need an ``Idempotency-Key`` header: the call runs in
``mupaka.core.idempotency.idempotent`` (and the savings services are idempotent on the
same key themselves), so a retried request moves the money once and gets the first
answer back. Cash goes through the caller's open till."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
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
from mupaka.core.money import Money, UnknownCurrency
from mupaka.core.permissions import require_perm
from mupaka.members.models import Member
from mupaka.savings import selectors, services
from mupaka.savings.models import (
    Channel,
    InterestMethodChoice,
    PostingFrequencyChoice,
    ProductKind,
    RoundingChoice,
    SavingsAccount,
    SavingsProduct,
)

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A unique key per operation: a retry with the same key moves money once.",
)


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


def _amount(**kw) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=20, decimal_places=6, **kw)


def _money(data: dict, field: str = "amount") -> Money:
    try:
        return Money.of(data[field], data["currency"].upper())
    except UnknownCurrency:
        raise ValidationFailed(_("Unknown currency code."), field="currency")


# --- products ---------------------------------------------------------------------------------
class ProductIn(StrictSerializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=ProductKind.choices)
    currency = serializers.CharField(max_length=3)
    interest_rate = _amount(required=False, help_text="Percent a year: 6 = 6 %")
    interest_method = serializers.ChoiceField(choices=InterestMethodChoice.choices, required=False)
    days_in_year = serializers.ChoiceField(choices=[360, 365], required=False)
    interest_rounding = serializers.ChoiceField(choices=RoundingChoice.choices, required=False)
    min_balance_for_interest = _amount(required=False)
    posting_frequency = serializers.ChoiceField(
        choices=PostingFrequencyChoice.choices, required=False
    )
    withholding_tax = _amount(required=False, help_text="Percent of the interest")
    min_balance = _amount(required=False)
    withdrawal_fee = _amount(required=False)
    maintenance_fee = _amount(required=False, help_text="Flat, each month")
    dormancy_days = serializers.IntegerField(min_value=0, required=False)
    term_months = serializers.IntegerField(min_value=1, max_value=120, required=False)
    early_break_penalty = _amount(required=False, help_text="Percent of the principal")


def product_json(p: SavingsProduct) -> dict:
    data = services.product_data(p)
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "kind": p.kind,
        "currency": p.currency,
        "is_active": p.is_active,
        "interest_rate": str(data.interest_rate),
        "interest_method": p.interest_method,
        "days_in_year": p.days_in_year,
        "posting_frequency": p.posting_frequency,
        "min_balance_for_interest": str(data.min_balance_for_interest),
        "withholding_tax": str(data.withholding_tax),
        "min_balance": str(data.min_balance),
        "withdrawal_fee": str(data.withdrawal_fee),
        "maintenance_fee": str(data.maintenance_fee),
        "dormancy_days": p.dormancy_days,
        "term_months": p.term_months,
        "early_break_penalty": str(data.early_break_penalty),
    }


PRODUCT_OUT = inline_serializer(
    "SavingsProductOut",
    {
        "id": serializers.IntegerField(),
        "code": serializers.CharField(),
        "name": serializers.CharField(),
        "kind": serializers.CharField(),
        "currency": serializers.CharField(),
        "interest_rate": serializers.CharField(),
    },
)


class ProductListCreate(APIView):
    @extend_schema(responses=PRODUCT_OUT)
    def get(self, request):
        """The savings products (every role that sees savings)."""
        require_perm(request.user, "savings.view")
        return Response([product_json(p) for p in selectors.product_list()])

    @extend_schema(request=ProductIn, responses={201: PRODUCT_OUT})
    def post(self, request):
        """Create a savings product (manager). Amounts in major units, rates in percent."""
        data = ProductIn(data=request.data)
        data.is_valid(raise_exception=True)
        product = services.savings_product_create(
            actor=request.user, data=services.ProductData(**data.validated_data)
        )
        return Response(product_json(product), status=status.HTTP_201_CREATED)


# --- accounts ---------------------------------------------------------------------------------
class AccountIn(StrictSerializer):
    member = serializers.IntegerField(help_text="Member id")
    product = serializers.IntegerField(help_text="Savings product id")
    amount = _amount(required=False, help_text="Term deposits: the principal")
    currency = serializers.CharField(max_length=3, required=False)
    channel = serializers.ChoiceField(choices=["cash", "transfer"], required=False)
    from_account = serializers.IntegerField(required=False)
    payout_account = serializers.IntegerField(required=False)


def account_json(a: SavingsAccount) -> dict:
    return {
        "id": a.pk,
        "number": a.number,
        "member": a.member_id,
        "member_number": a.member.number,
        "product": a.product_id,
        "product_code": a.product.code,
        "kind": a.product.kind,
        "currency": a.currency,
        "status": a.status,
        "balance": str(a.balance.amount),
        "available_balance": str(a.available.amount),
        "blocked": str(a.blocked.amount),
        "minimum_balance": str(a.money(a.min_balance_minor).amount),
        "opened_date": a.opened_date,
        "closed_date": a.closed_date,
        "maturity_date": a.maturity_date,
        "last_customer_date": a.last_customer_date,
    }


ACCOUNT_OUT = inline_serializer(
    "SavingsAccountOut",
    {
        "id": serializers.IntegerField(),
        "number": serializers.CharField(),
        "member": serializers.IntegerField(),
        "currency": serializers.CharField(),
        "status": serializers.CharField(),
        "balance": serializers.CharField(),
        "available_balance": serializers.CharField(),
        "blocked": serializers.CharField(),
    },
)


def _member(request, member_id: int) -> Member:
    from mupaka.members.selectors import member_get

    return member_get(user=request.user, member_id=member_id)


def _product(product_id: int) -> SavingsProduct:
    product = SavingsProduct.objects.filter(pk=product_id).first()
    if product is None:
        raise ValidationFailed(_("No savings product with this id."), field="product")
    return product


def _own_account(request, account_id: int | None, field: str) -> SavingsAccount | None:
    if account_id is None:
        return None
    try:
        return selectors.account_get(user=request.user, account_id=account_id)
    except NotFound:
        raise ValidationFailed(_("No savings account with this id."), field=field)


class AccountCreate(APIView):
    @extend_schema(
        operation_id="savings_accounts_list",
        responses=ACCOUNT_OUT,
        parameters=[
            OpenApiParameter("member", int, OpenApiParameter.QUERY, required=False),
            OpenApiParameter("status", str, OpenApiParameter.QUERY, required=False),
            OpenApiParameter(
                "search",
                str,
                OpenApiParameter.QUERY,
                required=False,
                description="Start of an account number, member number or name",
            ),
            OpenApiParameter("limit", int, OpenApiParameter.QUERY, required=False),
            OpenApiParameter("offset", int, OpenApiParameter.QUERY, required=False),
        ],
    )
    def get(self, request):
        """Savings accounts the caller sees (her branch), e.g. a member's (``?member=``)."""
        q = request.query_params
        member = None
        if q.get("member"):
            try:
                member = _member(request, int(q["member"]))
            except (ValueError, NotFound):
                raise ValidationFailed(_("No member with this id."), field="member")
        paginator = LimitOffsetPagination()
        paginator.default_limit = 50
        page = paginator.paginate_queryset(
            selectors.account_list(
                user=request.user,
                query=q.get("search", ""),
                status=q.get("status", ""),
                member=member,
            ),
            request,
            view=self,
        )
        return paginator.get_paginated_response([account_json(a) for a in page])

    @extend_schema(
        request=AccountIn,
        responses={201: ACCOUNT_OUT},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Required for a term deposit (it moves money).",
            )
        ],
    )
    def post(self, request):
        """Open a savings account for an active member; a term deposit opens with its
        principal (amount, currency, channel cash or transfer + from_account)."""
        data = AccountIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        member = _member(request, d["member"])
        product = _product(d["product"])
        if product.kind != ProductKind.TERM:
            account = services.savings_account_open(
                actor=request.user, member=member, product=product
            )
            return Response(account_json(account), status=status.HTTP_201_CREATED)
        key = idempotency_key(request)
        errors = {f: [_("This field is required.")] for f in ("amount", "currency") if f not in d}
        if errors:
            raise ValidationFailed(_("A term deposit opens with its amount."), errors=errors)
        amount = _money(d)
        channel = d.get("channel", "cash")
        source = _own_account(request, d.get("from_account"), "from_account")
        payout = _own_account(request, d.get("payout_account"), "payout_account")
        result = idempotent(
            key=key,
            scope="savings.term_open",
            actor=request.user,
            payload=request.data,
            run=lambda: services.term_deposit_open(
                actor=request.user,
                member=member,
                product=product,
                amount=amount,
                idempotency_key=key,
                channel=channel,
                from_account=source,
                payout_account=payout,
            ).as_dict(),
        )
        account = selectors.account_get(user=request.user, account_id=result.response["account"])
        return Response(
            account_json(account),
            status=status.HTTP_200_OK if result.replayed else status.HTTP_201_CREATED,
        )


class AccountDetail(APIView):
    @extend_schema(responses=ACCOUNT_OUT)
    def get(self, request, pk: int):
        """Balance, available balance (balance − blocked − minimum balance) and status."""
        return Response(account_json(selectors.account_get(user=request.user, account_id=pk)))


class MovementIn(StrictSerializer):
    amount = _amount()
    currency = serializers.CharField(max_length=3)
    memo = serializers.CharField(max_length=200, required=False, allow_blank=True)


class DepositIn(MovementIn):
    channel = serializers.ChoiceField(choices=[Channel.CASH, Channel.BANK], required=False)


MOVEMENT_OUT = inline_serializer(
    "SavingsMovementOut",
    {
        "transaction": serializers.IntegerField(),
        "entry": serializers.IntegerField(),
        "account": serializers.IntegerField(),
        "account_number": serializers.CharField(),
        "currency": serializers.CharField(),
        "amount": serializers.CharField(),
        "fee": serializers.CharField(),
        "balance": serializers.CharField(),
        "available_balance": serializers.CharField(),
        "replayed": serializers.BooleanField(),
    },
)


def _movement(request, pk: int, serializer, scope: str, call) -> Response:
    key = idempotency_key(request)
    data = serializer(data=request.data)
    data.is_valid(raise_exception=True)
    d = data.validated_data
    account = selectors.account_get(user=request.user, account_id=pk)
    amount = _money(d)
    result = idempotent(
        key=key,
        scope=scope,
        actor=request.user,
        payload={"account": pk, **request.data},
        run=lambda: call(account, amount, key, d).as_dict(),
    )
    body = dict(result.response)
    body["replayed"] = result.replayed or body.get("replayed", False)
    return Response(body, status=status.HTTP_200_OK if result.replayed else status.HTTP_201_CREATED)


class Deposits(APIView):
    @extend_schema(
        request=DepositIn, responses={201: MOVEMENT_OUT}, parameters=[IDEMPOTENCY_HEADER]
    )
    def post(self, request, pk: int):
        """A deposit: cash at the caller's open till (teller), or received by bank / mobile
        money (``channel: bank``; accountant, manager). Another currency than the
        account's is refused (change it at the exchange desk first)."""
        return _movement(
            request,
            pk,
            DepositIn,
            "savings.deposit",
            lambda account, amount, key, d: services.savings_deposit(
                actor=request.user,
                account=account,
                amount=amount,
                idempotency_key=key,
                channel=d.get("channel", Channel.CASH),
                memo=d.get("memo", ""),
            ),
        )


class Withdrawals(APIView):
    @extend_schema(
        request=MovementIn, responses={201: MOVEMENT_OUT}, parameters=[IDEMPOTENCY_HEADER]
    )
    def post(self, request, pk: int):
        """A cash withdrawal at the caller's open till, the product's fee taken with it."""
        return _movement(
            request,
            pk,
            MovementIn,
            "savings.withdraw",
            lambda account, amount, key, d: services.savings_withdraw(
                actor=request.user,
                account=account,
                amount=amount,
                idempotency_key=key,
                memo=d.get("memo", ""),
            ),
        )


TXN_OUT = inline_serializer(
    "SavingsTransactionOut",
    {
        "id": serializers.IntegerField(),
        "business_date": serializers.DateField(),
        "kind": serializers.CharField(),
        "direction": serializers.CharField(),
        "amount": serializers.CharField(),
        "balance_after": serializers.CharField(),
        "blocked_after": serializers.CharField(),
        "entry": serializers.IntegerField(allow_null=True),
        "memo": serializers.CharField(),
    },
)


class Transactions(APIView):
    @extend_schema(
        responses=TXN_OUT,
        parameters=[
            OpenApiParameter("limit", int, OpenApiParameter.QUERY, required=False),
            OpenApiParameter("offset", int, OpenApiParameter.QUERY, required=False),
        ],
    )
    def get(self, request, pk: int):
        """The account's history, newest first, with the running balance (paged)."""
        account = selectors.account_get(user=request.user, account_id=pk)
        paginator = LimitOffsetPagination()
        paginator.default_limit = 50
        page = paginator.paginate_queryset(
            selectors.account_transactions(account), request, view=self
        )
        money = account.money
        return paginator.get_paginated_response(
            [
                {
                    "id": t.pk,
                    "business_date": t.business_date,
                    "kind": t.kind,
                    "direction": t.direction,
                    "amount": str(money(t.amount_minor).amount),
                    "balance_after": str(money(t.balance_after_minor).amount),
                    "blocked_after": str(money(t.blocked_after_minor).amount),
                    "entry": t.entry_id,
                    "channel": t.channel,
                    "memo": t.memo,
                    "reference": t.reference,
                }
                for t in page
            ]
        )
