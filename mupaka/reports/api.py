"""JSON API of the reports. Amounts travel as strings ("1573.45") beside their minor
units and currency; ratios as strings of the exact fraction rounded to 6 places
("0.511949"), never JSON floats."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from mupaka.core.money import Money
from mupaka.reports import selectors
from mupaka.reports.domain.par import BUCKET_KEYS

ERRORS = {
    400: OpenApiResponse(description="Invalid request: `detail`, `code`, `errors` by field"),
    401: OpenApiResponse(description="Missing or wrong token"),
    403: OpenApiResponse(description="The role does not allow it"),
}

FILTER_PARAMS = [
    OpenApiParameter("branch", int, description="Branch id"),
    OpenApiParameter("officer", int, description="Loan officer (user) id"),
    OpenApiParameter("product", int, description="Loan product id"),
    OpenApiParameter("currency", str, description="ISO code; all currencies when absent"),
    OpenApiParameter("sex", str, enum=["F", "M"]),
    OpenApiParameter("border_post", int, description="Border post id"),
]


def _ratio(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.000001")))


def _amount(minor: int | Decimal | None, currency: str) -> dict:
    if minor is None:
        return {"amount": None, "amount_minor": None}
    minor = int(Decimal(minor).quantize(Decimal(1)))
    return {"amount": str(Money.from_minor(minor, currency).amount), "amount_minor": minor}


def quality_json(q, currency: str) -> dict:
    return {
        "gross_loan_portfolio": _amount(q.gross_loan_portfolio_minor, currency),
        "loans": q.loans,
        "restructured_loans": q.restructured_loans,
        "restructured_outstanding": _amount(q.restructured_outstanding_minor, currency),
        "overdue": _amount(q.overdue_minor, currency),
        "par": {
            f"par{days}": {
                **_amount(p.amount_minor, currency),
                "loans": p.loans,
                "late": _amount(p.late_amount_minor, currency)["amount_minor"],
                "restructured": _amount(p.restructured_amount_minor, currency)["amount_minor"],
                "ratio": _ratio(p.ratio),
            }
            for days, p in q.par.items()
        },
        "buckets": [
            {
                "bucket": b.key,
                "loans": b.loans,
                **_amount(b.outstanding_minor, currency),
                "restructured_loans": b.restructured_loans,
                "overdue_minor": b.overdue_minor,
                "share": _ratio(b.share),
            }
            for b in q.buckets
        ],
    }


class PortfolioView(APIView):
    @extend_schema(
        summary="Portfolio at risk (SEEP), ageing buckets and counts at the end of a date",
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, description="Default: business date"),
            OpenApiParameter("by", str, enum=list(selectors.DIMENSIONS), description="Breakdown"),
            *FILTER_PARAMS,
        ],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request):
        q = request.query_params
        on_date = selectors.parse_date(q.get("date"))
        report = selectors.portfolio_report(
            user=request.user,
            on_date=on_date,
            filters=selectors.filters_from(q),
            group_by=q.get("by") or None,
        )
        return Response(
            {
                "date": on_date.isoformat(),
                "source": report.source,
                "snapshot_date": report.read_date.isoformat() if report.read_date else None,
                "by": report.group_by,
                "buckets": list(BUCKET_KEYS),
                "currencies": [
                    {
                        "currency": c.currency,
                        "borrowers": c.borrowers,
                        **quality_json(c.quality, c.currency),
                        "breakdown": [
                            {
                                "key": s.key,
                                "label": s.label,
                                "borrowers": s.borrowers,
                                **quality_json(s.quality, c.currency),
                            }
                            for s in c.slices
                        ],
                    }
                    for c in report.currencies
                ],
            }
        )


class IndicatorsView(APIView):
    @extend_schema(
        summary="SEEP/MIX performance indicators over a period, with their inputs",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="Default: 1 January"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Default: business date"),
            OpenApiParameter("currency", str, description="Default: base currency"),
            OpenApiParameter(
                "inflation", str, description='Percent for the real yield, e.g. "12.5"'
            ),
        ],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request):
        from mupaka.reports.tables import INDICATOR_LABELS

        q = request.query_params
        date_to = selectors.parse_date(q.get("to"), field="to")
        date_from = selectors.parse_date(
            q.get("from"), field="from", default=date_to.replace(month=1, day=1)
        )
        report = selectors.indicators_report(
            user=request.user,
            date_from=date_from,
            date_to=date_to,
            currency=q.get("currency"),
            inflation=selectors.parse_inflation(q.get("inflation")),
            filters=selectors.scoped(request.user, selectors.Filters()),
        )
        cur = report.currency
        items = []
        for i in report.indicators:
            label, formula = INDICATOR_LABELS[i.key]
            value = i.value
            items.append(
                {
                    "key": i.key,
                    "label": str(label),
                    "formula": str(formula),
                    "kind": i.kind,
                    "value": _amount(value, cur)["amount"]
                    if i.kind == "amount" and value is not None
                    else _ratio(value),
                    "numerator": _ratio(i.numerator),
                    "denominator": _ratio(i.denominator),
                }
            )
        return Response(
            {
                "from": date_from.isoformat(),
                "to": date_to.isoformat(),
                "days": report.days,
                "currency": cur,
                "inflation": _ratio(report.inflation),
                "indicators": items,
                "inputs_minor": {
                    k: (None if v is None else str(v)) for k, v in report.inputs.items()
                },
                "notes": report.notes,
            }
        )


def _statement_json(fs, language: str) -> dict:
    return {
        "kind": fs.kind,
        "currency": fs.currency,
        "from": fs.date_from.isoformat() if fs.date_from else None,
        "to": fs.date_to.isoformat(),
        "result": _amount(fs.result_minor, fs.currency),
        "balanced": fs.balanced,
        "sections": [
            {
                "key": s.key,
                "total": _amount(s.total_minor, fs.currency),
                "rows": [
                    {
                        "number": r.number,
                        "name": r.name(language),
                        "level": r.level,
                        "header": r.is_header,
                        **_amount(r.amount_minor, fs.currency),
                    }
                    for r in s.rows
                ],
            }
            for s in fs.sections
        ],
    }


class FinancialStatementsView(APIView):
    @extend_schema(
        summary="Balance sheet at the end of a date and income statement from 1 January, "
        "with the prudential ratios against the preset's thresholds",
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, description="Default: business date"),
            OpenApiParameter("currency", str, description="Default: base currency"),
        ],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request):
        from django.utils import translation

        q = request.query_params
        on_date = selectors.parse_date(q.get("date"))
        fs = selectors.financial_statements(
            user=request.user, on_date=on_date, currency=q.get("currency")
        )
        lang = translation.get_language() or "fr"
        checks = selectors.prudential_checks(
            on_date=on_date, currency=fs.currency, fs=fs.balance_sheet
        )
        return Response(
            {
                "date": on_date.isoformat(),
                "currency": fs.currency,
                "balance_sheet": _statement_json(fs.balance_sheet, lang),
                "income_statement": _statement_json(fs.income_statement, lang),
                "prudential_ratios": [
                    {
                        "key": c.key,
                        "name": norm.name(lang),
                        "value": _ratio(c.value),
                        "comparator": c.comparator,
                        "threshold": _ratio(c.threshold),
                        "example_threshold": c.example,
                        "met": c.met,
                        "numerator_minor": c.numerator_minor,
                        "denominator_minor": c.denominator_minor,
                    }
                    for norm, c in checks
                ],
            }
        )
