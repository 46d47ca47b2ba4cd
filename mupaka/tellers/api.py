"""JSON API of tills, cash transfers, exchange rates and exchanges.

Serializers only translate in and out; each request makes one service call. Calls that
move money need an ``Idempotency-Key`` header: the service runs inside
``mupaka.core.idempotency.idempotent`` and posts with ``f"{key}:journal"``, so a retried
request moves the money once and gets the first answer back.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from mupaka.core.api import idempotency_key
from mupaka.core.exceptions import NotFound, ValidationFailed
from mupaka.core.idempotency import idempotent
from mupaka.core.models import Branch, User
from mupaka.core.money import Money, UnknownCurrency
from mupaka.core.permissions import has_perm, require_perm
from mupaka.core.selectors import business_date_get
from mupaka.tellers import selectors, services
from mupaka.tellers.models import CashTransfer, Exchange, ExchangeRate, Till
from mupaka.tellers.services.tills import current_count

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A fresh UUID per operation; a retry with the same key moves the money once.",
)


def _money(currency: str, amount, *, field: str) -> Money:
    try:
        return Money.of(str(amount), str(currency).upper())
    except (UnknownCurrency, ValueError, TypeError):
        raise ValidationFailed(_("Not a valid amount or currency."), field=field)


def _minor_text(minor: int, currency: str) -> str:
    return str(Money.from_minor(int(minor), currency).amount)


def _amounts_out(amounts: dict[str, int]) -> dict[str, str]:
    return {cur: _minor_text(v, cur) for cur, v in sorted(amounts.items())}


class StrictSerializer(serializers.Serializer):
    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                exc.detail.update({n: [_("Unknown field.")] for n in unknown})
            raise
        if unknown:
            raise serializers.ValidationError({n: [_("Unknown field.")] for n in unknown})
        return value


class MoneyIn(StrictSerializer):
    currency = serializers.CharField(min_length=3, max_length=3)
    amount = serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=True)


def _money_list(items, field: str) -> list[Money]:
    return [_money(i["currency"], i["amount"], field=field) for i in items]


# --- output ---------------------------------------------------------------------
def transfer_json(t: CashTransfer) -> dict:
    return {
        "id": t.pk,
        "till": t.till_id,
        "direction": t.direction,
        "status": t.status,
        "amounts": _amounts_out(t.amounts),
        "is_closing": t.is_closing,
        "initiated_by": t.initiated_by.get_username(),
        "decided_by": t.decided_by.get_username() if t.decided_by_id else None,
        "entry_number": t.entry_number,
    }


def till_json(till: Till) -> dict:
    count = current_count(till)
    return {
        "id": till.pk,
        "teller": till.teller.get_username(),
        "branch": till.branch.code,
        "business_date": till.business_date.isoformat(),
        "status": till.status,
        "currencies": till.currencies,
        "balances": _amounts_out(selectors.till_balances(till)),
        "transfers": [
            transfer_json(t)
            for t in till.transfers.select_related("initiated_by", "decided_by").order_by("id")
        ],
        "count": None
        if count is None
        else {
            "expected": _amounts_out(count.expected),
            "counted": _amounts_out(count.counted),
            "differences": _amounts_out(count.differences),
            "approved_by": count.approved_by.get_username() if count.approved_by_id else None,
            "reason": count.difference_reason,
        },
    }


def rate_json(r: ExchangeRate) -> dict:
    return {
        "id": r.pk,
        "pair": f"{r.base}/{r.quote}",
        "base": r.base,
        "quote": r.quote,
        "date": r.rate_date.isoformat(),
        "buy": str(selectors.rate_from_e8(r.buy_e8)),
        "sell": str(selectors.rate_from_e8(r.sell_e8)),
        "reference": None
        if r.reference_e8 is None
        else str(selectors.rate_from_e8(r.reference_e8)),
        "reference_source": r.reference_source,
        "set_by": r.set_by.get_username(),
    }


def exchange_json(e: Exchange) -> dict:
    return {
        "id": e.pk,
        "till": e.till_id,
        "rate": e.rate_id,
        "business_date": e.business_date.isoformat(),
        "member_id": e.member_id,
        "customer_name": e.customer_name,
        "offered": {
            "currency": e.currency_in,
            "amount": _minor_text(e.offered_minor, e.currency_in),
        },
        "change": {"currency": e.currency_in, "amount": _minor_text(e.change_minor, e.currency_in)},
        "exchanged": {
            "currency": e.currency_in,
            "amount": _minor_text(e.amount_in_minor, e.currency_in),
        },
        "paid": {
            "currency": e.currency_out,
            "amount": _minor_text(e.amount_out_minor, e.currency_out),
        },
        "kept": {"currency": e.currency_out, "amount": _minor_text(e.unpaid_minor, e.currency_out)},
        "side": e.side,
        "rate_applied": str(selectors.rate_from_e8(e.applied_rate_e8)),
        "reference_rate": str(selectors.rate_from_e8(e.reference_rate_e8)),
        "margin": {
            "currency": e.margin_currency,
            "amount": _minor_text(e.margin_minor, e.margin_currency),
        },
        "entry_number": e.entry_number,
        "receipt": e.receipt.number if e.receipt_id else None,
    }


ANY = inline_serializer("TellersObject", {"id": serializers.IntegerField()})


# --- tills ---------------------------------------------------------------------------
class TillOpenIn(StrictSerializer):
    teller = serializers.CharField(help_text="The teller's username")
    floats = MoneyIn(many=True, required=False)
    currencies = serializers.ListField(child=serializers.CharField(max_length=3), required=False)


class TillListCreate(APIView):
    @extend_schema(
        operation_id="tills_list",
        parameters=[
            OpenApiParameter("business_date", str, required=False),
            OpenApiParameter("status", str, required=False),
        ],
        responses=ANY,
    )
    def get(self, request):
        """Tills of the branch (default: today's); a teller sees her own (her open till's
        id for the other calls)."""
        date = request.query_params.get("business_date") or business_date_get()
        status_ = request.query_params.get("status", "")
        if has_perm(request.user, "till.view"):
            tills = selectors.till_list(user=request.user, business_date=date, status=status_)
        else:
            require_perm(request.user, "till.view_own")
            tills = Till.objects.select_related("branch", "teller").filter(
                teller=request.user, business_date=date
            )
            if status_:
                tills = tills.filter(status=status_)
        return Response({"results": [till_json(t) for t in tills]})

    @extend_schema(request=TillOpenIn, responses={201: ANY}, parameters=[IDEMPOTENCY_HEADER])
    def post(self, request):
        """Open a teller's till (manager) with a float from the vault, pending the teller's
        confirmation."""
        require_perm(request.user, "till.open")
        key = idempotency_key(request)
        data = TillOpenIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        teller = User.objects.filter(username=d["teller"]).first()
        if teller is None:
            raise ValidationFailed(_("No staff user with this username."), field="teller")
        floats = _money_list(d.get("floats", []), "floats")
        result = idempotent(
            key=key,
            scope="tellers.till_open",
            actor=request.user,
            payload=request.data,
            run=lambda: {
                "id": services.till_open(
                    actor=request.user,
                    teller=teller,
                    floats=floats,
                    currencies=d.get("currencies", []),
                ).pk
            },
        )
        till = selectors.till_get(user=request.user, till_id=result.response["id"])
        return Response(till_json(till), status=status.HTTP_200_OK if result.replayed else 201)


class TillDetail(APIView):
    @extend_schema(responses=ANY)
    def get(self, request, pk: int):
        """A till: status, expected cash per currency, transfers, closing count."""
        require_perm(request.user, "till.view_own")
        return Response(till_json(selectors.till_get(user=request.user, till_id=pk)))


class TillCloseIn(StrictSerializer):
    counts = serializers.DictField(
        child=serializers.DictField(child=serializers.JSONField()),
        help_text='Pieces by face value in major units: {"CDF": {"20000": 3, "50": 10}}',
    )


def _counts_minor(counts: dict) -> dict:
    result: dict[str, dict[str, object]] = {}
    errors: list[str] = []
    for cur, lines in counts.items():
        result[cur] = {}
        for face, pieces in lines.items():
            try:
                value = Money.of(str(face), str(cur).upper())
                result[cur][str(value.minor)] = pieces
            except (UnknownCurrency, ValueError, TypeError):
                errors.append(
                    _("%(currency)s %(face)s is not a face value.")
                    % {"currency": cur, "face": face}
                )
    if errors:
        raise ValidationFailed(errors[0], errors={"counts": errors}, code="invalid_count")
    return result


class TillClose(APIView):
    @extend_schema(request=TillCloseIn, responses=ANY, parameters=[IDEMPOTENCY_HEADER])
    def post(self, request, pk: int):
        """The teller's count by denomination; the counted cash goes to the vault pending
        the manager's confirmation."""
        key = idempotency_key(request)
        data = TillCloseIn(data=request.data)
        data.is_valid(raise_exception=True)
        counts = _counts_minor(data.validated_data["counts"])
        till = selectors.till_get(user=request.user, till_id=pk)
        idempotent(
            key=key,
            scope="tellers.till_close",
            actor=request.user,
            payload={"till": pk, **request.data},
            run=lambda: {
                "count": services.till_close(actor=request.user, till=till, counts=counts).pk
            },
        )
        return Response(till_json(selectors.till_get(user=request.user, till_id=pk)))


class ReasonIn(StrictSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class TillCloseConfirm(APIView):
    @extend_schema(request=ReasonIn, responses=ANY, parameters=[IDEMPOTENCY_HEADER])
    def post(self, request, pk: int):
        """The manager receives the counted cash and closes the till; a difference needs
        her reason and is posted to the teller-difference account."""
        key = idempotency_key(request)
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        till = selectors.till_get(user=request.user, till_id=pk)
        idempotent(
            key=key,
            scope="tellers.till_close_confirm",
            actor=request.user,
            payload={"till": pk, **request.data},
            run=lambda: {
                "id": services.till_close_confirm(
                    actor=request.user,
                    till=till,
                    reason=data.validated_data.get("reason", ""),
                    journal_key=f"{key}:journal",
                ).pk
            },
        )
        return Response(till_json(selectors.till_get(user=request.user, till_id=pk)))


class TillRecount(APIView):
    @extend_schema(request=ReasonIn, responses=ANY)
    def post(self, request, pk: int):
        """The manager sends a counted till back to its teller for a new count."""
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        till = selectors.till_get(user=request.user, till_id=pk)
        services.till_recount(
            actor=request.user, till=till, reason=data.validated_data.get("reason", "")
        )
        return Response(till_json(selectors.till_get(user=request.user, till_id=pk)))


# --- transfers --------------------------------------------------------------------------
class TransferIn(StrictSerializer):
    till = serializers.IntegerField()
    direction = serializers.ChoiceField(choices=["to_till", "to_vault"])
    amounts = MoneyIn(many=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


def _transfer(user, pk: int) -> CashTransfer:
    transfer = (
        CashTransfer.objects.select_related("till", "initiated_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if transfer is None:
        raise NotFound(_("No transfer with this id."))
    selectors.till_get(user=user, till_id=transfer.till_id)  # visibility
    return transfer


class TransferCreate(APIView):
    @extend_schema(request=TransferIn, responses={201: ANY})
    def post(self, request):
        """Send cash: vault → till (manager) or till → vault (teller). Nothing moves until
        the receiver confirms."""
        data = TransferIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        till = selectors.till_get(user=request.user, till_id=d["till"])
        transfer = services.cash_transfer_create(
            actor=request.user,
            till=till,
            direction=d["direction"],
            amounts=_money_list(d["amounts"], "amounts"),
            note=d.get("note", ""),
        )
        return Response(transfer_json(transfer), status=201)


class TransferConfirm(APIView):
    @extend_schema(request=None, responses=ANY, parameters=[IDEMPOTENCY_HEADER])
    def post(self, request, pk: int):
        """The receiver confirms: the cash moves (one journal entry)."""
        key = idempotency_key(request)
        transfer = _transfer(request.user, pk)
        idempotent(
            key=key,
            scope="tellers.transfer_confirm",
            actor=request.user,
            payload={"transfer": pk},
            run=lambda: {
                "id": services.cash_transfer_confirm(
                    actor=request.user, transfer=transfer, journal_key=f"{key}:journal"
                ).pk
            },
        )
        return Response(transfer_json(_transfer(request.user, pk)))


class TransferCancel(APIView):
    @extend_schema(request=ReasonIn, responses=ANY)
    def post(self, request, pk: int):
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = services.cash_transfer_cancel(
            actor=request.user,
            transfer=_transfer(request.user, pk),
            reason=data.validated_data.get("reason", ""),
        )
        return Response(transfer_json(transfer))


# --- vault --------------------------------------------------------------------------------
class VaultFundIn(StrictSerializer):
    branch = serializers.CharField(max_length=6)
    currency = serializers.CharField(min_length=3, max_length=3)
    amount = serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=True)
    source = serializers.ChoiceField(choices=["bank", "opening"])
    direction = serializers.ChoiceField(choices=["in", "out"], required=False, default="in")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class VaultFund(APIView):
    @extend_schema(request=VaultFundIn, responses={201: ANY}, parameters=[IDEMPOTENCY_HEADER])
    def post(self, request):
        """Cash into the vault from the bank or the go-live opening balance (or out to the bank)."""
        key = idempotency_key(request)
        data = VaultFundIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        branch = Branch.objects.filter(code=d["branch"].upper()).first()
        if branch is None:
            raise ValidationFailed(_("No branch with this code."), field="branch")
        amount = _money(d["currency"], d["amount"], field="amount")
        result = idempotent(
            key=key,
            scope="tellers.vault_fund",
            actor=request.user,
            payload=request.data,
            run=lambda: {
                "id": services.vault_fund(
                    actor=request.user,
                    branch=branch,
                    amount=amount,
                    source=d["source"],
                    direction=d["direction"],
                    reason=d.get("reason", ""),
                    journal_key=f"{key}:journal",
                ).pk,
            },
        )
        vault = selectors.vault_for_branch(branch.pk)
        return Response(
            {
                "funding": result.response["id"],
                "vault": vault.pk,
                "balances": _amounts_out(selectors.vault_balances(vault)),
            },
            status=200 if result.replayed else 201,
        )


# --- rates and exchanges ----------------------------------------------------------------------
class RateIn(StrictSerializer):
    base = serializers.CharField(min_length=3, max_length=3)
    quote = serializers.CharField(min_length=3, max_length=3)
    buy = serializers.DecimalField(max_digits=24, decimal_places=8, coerce_to_string=True)
    sell = serializers.DecimalField(max_digits=24, decimal_places=8, coerce_to_string=True)
    reference = serializers.DecimalField(
        max_digits=24, decimal_places=8, coerce_to_string=True, required=False, allow_null=True
    )
    reference_source = serializers.CharField(required=False, allow_blank=True, max_length=80)
    date = serializers.DateField(required=False)


class RateListCreate(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "date", str, required=False, description="The rates in force that day"
            ),
            OpenApiParameter("history", bool, required=False),
        ],
        responses=ANY,
    )
    def get(self, request):
        """The day's rates (default the business date), or the history with ``history=1``."""
        require_perm(request.user, "rate.view")
        if request.query_params.get("history") in ("1", "true"):
            return Response({"results": [rate_json(r) for r in selectors.rate_history()]})
        date = request.query_params.get("date") or business_date_get()
        return Response({"results": [rate_json(r) for r in selectors.rates_of_day(date)]})

    @extend_schema(request=RateIn, responses={201: ANY})
    def post(self, request):
        """Set the buy and sell rate of a pair (manager); history is kept."""
        require_perm(request.user, "rate.set")
        data = RateIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        rate = services.rate_set(
            actor=request.user,
            base=d["base"],
            quote=d["quote"],
            buy=Decimal(d["buy"]),
            sell=Decimal(d["sell"]),
            reference=None if d.get("reference") is None else Decimal(d["reference"]),
            reference_source=d.get("reference_source", ""),
            rate_date=d.get("date"),
        )
        return Response(rate_json(rate), status=201)


class ExchangeIn(StrictSerializer):
    currency = serializers.CharField(min_length=3, max_length=3, help_text="Currency handed over")
    amount = serializers.DecimalField(max_digits=20, decimal_places=2, coerce_to_string=True)
    currency_out = serializers.CharField(min_length=3, max_length=3)
    member_id = serializers.IntegerField(required=False, allow_null=True)
    customer_name = serializers.CharField(required=False, allow_blank=True, max_length=160)


class ExchangeListCreate(APIView):
    @extend_schema(responses=ANY)
    def get(self, request):
        """Exchanges of the business date (the teller's own, or the branch's for readers)."""
        require_perm(request.user, "till.view_own")
        rows = selectors.exchange_list(user=request.user, business_date=business_date_get())[:200]
        return Response({"results": [exchange_json(e) for e in rows]})

    @extend_schema(request=ExchangeIn, responses={201: ANY}, parameters=[IDEMPOTENCY_HEADER])
    def post(self, request):
        """Change money through the teller's till at the day's rate."""
        require_perm(request.user, "exchange.do")
        key = idempotency_key(request)
        data = ExchangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        offered = _money(d["currency"], d["amount"], field="amount")
        if d.get("member_id"):
            from mupaka.members.selectors import member_get

            member_get(user=request.user, member_id=d["member_id"])
        result = idempotent(
            key=key,
            scope="tellers.exchange",
            actor=request.user,
            payload=request.data,
            run=lambda: {
                "id": services.exchange_do(
                    actor=request.user,
                    offered=offered,
                    currency_out=d["currency_out"],
                    member_id=d.get("member_id"),
                    customer_name=d.get("customer_name", ""),
                    journal_key=f"{key}:journal",
                ).exchange.pk
            },
        )
        exchange = Exchange.objects.select_related("receipt").get(pk=result.response["id"])
        return Response(exchange_json(exchange), status=200 if result.replayed else 201)


class Positions(APIView):
    @extend_schema(responses=ANY)
    def get(self, request):
        """Exchange position per currency (debit − credit of the position accounts)."""
        positions = selectors.exchange_positions(user=request.user)
        return Response(
            {
                "positions": _amounts_out({c: -v for c, v in positions.items()}),
                "sign": "long = positive",
            }
        )
