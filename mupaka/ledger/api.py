"""JSON API of the ledger. Amounts travel as strings ("45.50") beside their currency:
a JSON number would be parsed as a binary float, so it is refused."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from mupaka.core.api import idempotency_key
from mupaka.core.exceptions import ValidationFailed
from mupaka.core.money import Money
from mupaka.core.permissions import require_perm
from mupaka.core.selectors import institution_get
from mupaka.ledger import selectors, services
from mupaka.ledger.models import Account, JournalEntry, ManualEntryDraft
from mupaka.ledger.services.manual import lines_from_input

ERRORS = {
    400: OpenApiResponse(description="Invalid request: `detail`, `code`, `errors` by field"),
    401: OpenApiResponse(description="Missing or wrong token"),
    403: OpenApiResponse(description="The role does not allow it"),
    404: OpenApiResponse(description="Not found"),
    409: OpenApiResponse(description="Conflict (idempotency key reused, already decided...)"),
}


class AmountField(serializers.CharField):
    """A decimal amount written as a string; a JSON number (a float) is refused."""

    default_error_messages = {
        "float": gettext_lazy(
            'Send amounts as strings, e.g. "12.50": a JSON number is a binary float.'
        ),
    }

    def to_internal_value(self, data):
        if isinstance(data, float | int) and not isinstance(data, bool):
            self.fail("float")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
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


class LineIn(StrictSerializer):
    account = serializers.CharField(max_length=30, help_text='Posting account, e.g. "5710-USD"')
    debit = AmountField(max_length=24, required=False, allow_blank=True)
    credit = AmountField(max_length=24, required=False, allow_blank=True)
    memo = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ManualEntryIn(StrictSerializer):
    business_date = serializers.DateField()
    narrative = serializers.CharField(max_length=300)
    lines = LineIn(many=True)


class ReverseIn(StrictSerializer):
    reason = serializers.CharField(max_length=300)


class PeriodCloseIn(StrictSerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)


class PeriodOut(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    closed_at = serializers.DateTimeField()
    closed_by = serializers.CharField(source="closed_by.username")
    reopened_at = serializers.DateTimeField(allow_null=True)
    reopen_reason = serializers.CharField()


class PeriodsOut(serializers.Serializer):
    closed_through = serializers.DateField(allow_null=True)
    periods = PeriodOut(many=True)


class LineOut(serializers.Serializer):
    line_no = serializers.IntegerField()
    account = serializers.CharField(source="account.number")
    currency = serializers.CharField()
    debit = serializers.SerializerMethodField()
    credit = serializers.SerializerMethodField()
    member_id = serializers.IntegerField(allow_null=True)
    subledger_type = serializers.CharField()
    subledger_id = serializers.CharField()
    memo = serializers.CharField()

    def get_debit(self, line) -> str:
        return str(Money.from_minor(line.debit_minor, line.currency).amount)

    def get_credit(self, line) -> str:
        return str(Money.from_minor(line.credit_minor, line.currency).amount)


class EntryOut(serializers.Serializer):
    number = serializers.IntegerField()
    business_date = serializers.DateField()
    posted_at = serializers.DateTimeField()
    narrative = serializers.CharField()
    source_type = serializers.CharField()
    source_id = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    approved_by = serializers.CharField(
        source="approved_by.username", allow_null=True, default=None
    )
    reversal_of = serializers.IntegerField(source="reversal_of_id", allow_null=True)
    hash = serializers.CharField()
    lines = serializers.SerializerMethodField()

    def get_lines(self, entry) -> list[dict]:
        return LineOut(entry.lines.select_related("account").order_by("line_no"), many=True).data


class DraftLineOut(serializers.Serializer):
    account = serializers.CharField()
    currency = serializers.CharField()
    debit = serializers.CharField()
    credit = serializers.CharField()
    memo = serializers.CharField()


class DraftOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    status = serializers.CharField()
    maker = serializers.CharField(source="maker.username")
    checker = serializers.CharField(source="checker.username", allow_null=True, default=None)
    business_date = serializers.DateField(allow_null=True)
    narrative = serializers.CharField()
    reverse_entry = serializers.IntegerField(source="reverse_entry_id", allow_null=True)
    posted_entry = serializers.IntegerField(source="posted_entry_id", allow_null=True)
    lines = serializers.SerializerMethodField()

    def get_lines(self, draft) -> list[dict]:
        return [
            {
                "account": ln["account"],
                "currency": ln["currency"],
                "debit": str(Money.from_minor(ln["debit_minor"], ln["currency"]).amount),
                "credit": str(Money.from_minor(ln["credit_minor"], ln["currency"]).amount),
                "memo": ln.get("memo", ""),
            }
            for ln in draft.lines
        ]


class AccountOut(serializers.Serializer):
    number = serializers.CharField()
    name_fr = serializers.CharField()
    name_en = serializers.CharField()
    type = serializers.CharField()
    currency = serializers.CharField()
    is_header = serializers.BooleanField()
    is_active = serializers.BooleanField()
    parent = serializers.CharField(source="parent.number", allow_null=True, default=None)
    level = serializers.IntegerField()


class BalanceOut(serializers.Serializer):
    currency = serializers.CharField()
    debit = serializers.CharField()
    credit = serializers.CharField()
    balance = serializers.CharField(help_text="debit minus credit")


class AccountBalanceOut(serializers.Serializer):
    account = serializers.CharField()
    date = serializers.DateField()
    balances = BalanceOut(many=True)


class TrialBalanceRowOut(serializers.Serializer):
    account = serializers.CharField()
    name = serializers.CharField()
    debit = serializers.CharField()
    credit = serializers.CharField()
    balance = serializers.CharField()


class TrialBalanceOut(serializers.Serializer):
    date = serializers.DateField()
    currency = serializers.CharField()
    rows = TrialBalanceRowOut(many=True)
    total_debit = serializers.CharField()
    total_credit = serializers.CharField()
    balanced = serializers.BooleanField()


def _validated(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _query_date(request, name: str, default: dt.date | None) -> dt.date | None:
    value = request.query_params.get(name, "")
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            _("Not a valid date: write an existing day as YYYY-MM-DD."), field=name
        )


def _entry(number: int) -> JournalEntry:
    return selectors.entry_get(number)


def _money_text(minor: int, currency: str) -> str:
    return str(Money.from_minor(minor, currency).amount)


# --- views ------------------------------------------------------------------------------------
class JournalEntries(APIView):
    @extend_schema(
        summary="Journal entries",
        parameters=[
            OpenApiParameter(
                "account", str, description="Account number (a header includes its accounts)"
            ),
            OpenApiParameter("from", dt.date),
            OpenApiParameter("to", dt.date),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses={200: EntryOut(many=True), 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]},
    )
    def get(self, request):
        require_perm(request.user, "ledger.view")
        number = request.query_params.get("account", "").strip()
        account = selectors.account_get(number) if number else None
        qs = selectors.entry_list(
            account=account,
            date_from=_query_date(request, "from", None),
            date_to=_query_date(request, "to", None),
        ).select_related("actor", "approved_by")
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(EntryOut(page, many=True).data)

    @extend_schema(
        summary="Prepare a manual entry (posted when a second person approves it)",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", str, location=OpenApiParameter.HEADER, required=True
            )
        ],
        request=ManualEntryIn,
        responses={201: DraftOut, 200: DraftOut, **ERRORS},
    )
    def post(self, request):
        key = idempotency_key(request)
        data = _validated(ManualEntryIn, request.data)
        existing = ManualEntryDraft.objects.filter(idempotency_key=key).exists()
        draft = services.manual_entry_create(
            actor=request.user,
            business_date=data["business_date"],
            narrative=data["narrative"],
            lines=lines_from_input(data["lines"]),
            idempotency_key=key,
        )
        return Response(
            DraftOut(draft).data, status=status.HTTP_200_OK if existing else status.HTTP_201_CREATED
        )


class DraftList(APIView):
    @extend_schema(
        summary="Manual entries and reversals waiting for approval (or decided)",
        parameters=[OpenApiParameter("status", str, enum=["pending", "posted", "rejected"])],
        responses={200: DraftOut(many=True), 403: ERRORS[403]},
    )
    def get(self, request):
        require_perm(request.user, "ledger.view")
        qs = ManualEntryDraft.objects.select_related("maker", "checker")
        wanted = request.query_params.get("status", "pending")
        if wanted:
            qs = qs.filter(status=wanted)
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(DraftOut(page, many=True).data)


class DraftApprove(APIView):
    @extend_schema(
        summary="Approve a manual entry or a reversal (id = draft id): it is posted",
        request=None,
        responses={201: EntryOut, 200: EntryOut, **ERRORS},
    )
    def post(self, request, pk: int):
        entry = services.manual_entry_approve(actor=request.user, draft=pk)
        replayed = getattr(entry, "replayed", False)
        entry = _entry(entry.number)
        return Response(
            EntryOut(entry).data, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED
        )


class EntryReverse(APIView):
    @extend_schema(
        summary="Ask for an entry to be reversed (a second person approves the returned draft)",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", str, location=OpenApiParameter.HEADER, required=True
            )
        ],
        request=ReverseIn,
        responses={202: DraftOut, 200: DraftOut, **ERRORS},
    )
    def post(self, request, number: int):
        key = idempotency_key(request)
        data = _validated(ReverseIn, request.data)
        existing = ManualEntryDraft.objects.filter(idempotency_key=key).exists()
        draft = services.reversal_request_create(
            actor=request.user, entry=number, reason=data["reason"], idempotency_key=key
        )
        return Response(
            DraftOut(draft).data,
            status=status.HTTP_200_OK if existing else status.HTTP_202_ACCEPTED,
        )


def _periods_json() -> dict:
    from mupaka.ledger.models import PeriodClose

    closings = PeriodClose.objects.select_related("closed_by").order_by("-year", "-month", "-id")
    return {
        "closed_through": selectors.closed_through(),
        "periods": PeriodOut(closings[:24], many=True).data,
    }


class Periods(APIView):
    @extend_schema(
        summary="Closed months: the last day closed and the latest closings",
        responses={200: PeriodsOut, 403: ERRORS[403]},
    )
    def get(self, request):
        require_perm(request.user, "ledger.view")
        return Response(_periods_json())

    @extend_schema(
        summary="Close a month (accountant): nothing can be dated in it afterwards",
        request=PeriodCloseIn,
        responses={201: PeriodsOut, **ERRORS},
    )
    def post(self, request):
        data = _validated(PeriodCloseIn, request.data)
        services.period_close(actor=request.user, year=data["year"], month=data["month"])
        return Response(_periods_json(), status=status.HTTP_201_CREATED)


class Accounts(APIView):
    @extend_schema(
        summary="Chart of accounts", responses={200: AccountOut(many=True), 403: ERRORS[403]}
    )
    def get(self, request):
        require_perm(request.user, "ledger.view")
        accounts = Account.objects.select_related("parent").order_by("number")
        return Response(AccountOut(accounts, many=True).data)


class AccountBalanceView(APIView):
    @extend_schema(
        summary="Balance of an account at the end of a date (default: the business date)",
        parameters=[OpenApiParameter("date", dt.date)],
        responses={200: AccountBalanceOut, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404]},
    )
    def get(self, request, number: str):
        require_perm(request.user, "ledger.view")
        account = selectors.account_get(number)
        as_of = _query_date(request, "date", institution_get().business_date)
        balances = selectors.account_balances(account, as_of=as_of)
        return Response(
            {
                "account": account.number,
                "date": as_of,
                "balances": [
                    {
                        "currency": cur,
                        "debit": _money_text(b.debit_minor, cur),
                        "credit": _money_text(b.credit_minor, cur),
                        "balance": _money_text(b.net_minor, cur),
                    }
                    for cur, b in sorted(balances.items())
                ],
            }
        )


class TrialBalanceView(APIView):
    @extend_schema(
        summary="Trial balance in one currency at the end of a date",
        parameters=[OpenApiParameter("date", dt.date), OpenApiParameter("currency", str)],
        responses={200: TrialBalanceOut, 400: ERRORS[400], 403: ERRORS[403]},
    )
    def get(self, request):
        require_perm(request.user, "ledger.view")
        inst = institution_get()
        as_of = _query_date(request, "date", inst.business_date)
        currency = (request.query_params.get("currency") or inst.base_currency).upper()
        if currency not in inst.accepted_currencies:
            raise ValidationFailed(
                _("The institution does not keep books in %(currency)s.") % {"currency": currency},
                field="currency",
            )
        tb = selectors.trial_balance(as_of=as_of, currency=currency)
        lang = getattr(request, "LANGUAGE_CODE", "fr") or "fr"
        return Response(
            {
                "date": as_of,
                "currency": currency,
                "rows": [
                    {
                        "account": r.account.number,
                        "name": r.account.name_en if lang.startswith("en") else r.account.name_fr,
                        "debit": _money_text(r.debit_minor, currency),
                        "credit": _money_text(r.credit_minor, currency),
                        "balance": _money_text(r.balance_minor, currency),
                    }
                    for r in tb.rows
                ],
                "total_debit": _money_text(tb.total_debit_minor, currency),
                "total_credit": _money_text(tb.total_credit_minor, currency),
                "balanced": tb.balanced,
            }
        )
