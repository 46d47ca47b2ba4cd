"""Report pages: each reads its query string, calls one selector and renders the tables
as a page, an XLSX workbook (``?format=xlsx``) or a PDF (``?format=pdf``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.numbers import format_decimal
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mupaka.core.exceptions import MupakaError, ValidationFailed
from mupaka.core.models import User
from mupaka.core.money_format import current_locale
from mupaka.core.permissions import has_perm
from mupaka.core.roles import Role
from mupaka.core.selectors import branch_list, institution_get
from mupaka.core.views_utils import staff_page
from mupaka.reports import selectors, services, tables
from mupaka.reports.domain import charts
from mupaka.reports.models import PrudentialNorm

ARREARS_SCREEN_LINES = 500
ARREARS_PDF_LINES = 2_000

DIMENSION_LABELS = {
    "branch": lambda: _("branch"),
    "officer": lambda: _("loan officer"),
    "product": lambda: _("product"),
    "currency": lambda: _("currency"),
    "sex": lambda: _("sex"),
    "border_post": lambda: _("border post"),
    "country": lambda: _("country of trade"),
}


def _choices(request) -> dict:
    from mupaka.loans.models import LoanProduct
    from mupaka.members.models import BorderPost

    inst = institution_get()
    user = request.user
    officers = User.objects.filter(role=Role.LOAN_OFFICER, is_active=True).order_by("username")
    if not user.sees_all_branches:
        officers = officers.filter(branch_id=user.branch_id)
    if user.role == Role.LOAN_OFFICER:
        officers = officers.filter(pk=user.pk)
    return {
        "branches": branch_list(user=user),
        "officers": officers,
        "products": LoanProduct.objects.order_by("code"),
        "currencies": inst.accepted_currencies,
        "border_posts": BorderPost.objects.filter(is_active=True),
        "dimensions": [(k, f()) for k, f in DIMENSION_LABELS.items()],
        "q": request.GET,
        "business_date": inst.business_date,
    }


def _respond(
    request,
    report_tables,
    *,
    title: str,
    subtitle: str = "",
    template: str,
    context: dict,
    status: int = 200,
    filename: str = "rapport",
    pdf_extra: str = "",
):
    fmt = request.GET.get("format", "")
    if fmt == "xlsx" and status == 200:
        response = HttpResponse(
            tables.tables_to_xlsx(report_tables, title=title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    if fmt == "pdf" and status == 200:
        response = HttpResponse(
            tables.tables_to_pdf(
                report_tables,
                title=title,
                subtitle=subtitle,
                institution=institution_get(),
                extra_html=pdf_extra,
            ),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
        return response
    return render(
        request,
        template,
        {
            "tables": report_tables,
            "title": title,
            "subtitle": subtitle,
            **_choices(request),
            **context,
        },
        status=status,
    )


def _error_page(
    request,
    exc: MupakaError,
    *,
    title: str,
    template: str = "reports/report.html",
    context: dict | None = None,
):
    return render(
        request,
        template,
        {
            "tables": [],
            "title": title,
            "error": exc.message,
            **_choices(request),
            **(context or {}),
        },
        status=exc.status,
    )


@staff_page("reports.view")
def index(request):
    user = request.user
    links = [
        ("reports:portfolio", _("Portfolio at risk and ageing"), "reports.portfolio.view"),
        ("reports:arrears", _("Arrears list for follow-up"), "reports.arrears.view"),
        ("reports:officers", _("Loans by officer"), "reports.portfolio.view"),
        ("reports:indicators", _("Performance indicators"), "reports.indicators.view"),
        ("reports:outreach", _("Outreach: the traders served"), "reports.outreach.view"),
        ("reports:statements", _("Financial statements"), "reports.financial.view"),
        ("reports:monthly_pack", _("Central bank's monthly pack"), "reports.financial.view"),
        ("reports:exchange_position", _("Exchange position"), "reports.financial.view"),
        ("reports:dashboard", _("Manager's dashboard"), "reports.dashboard.view"),
        ("reports:norms", _("Prudential norms"), "reports.financial.view"),
    ]
    return render(
        request,
        "reports/index.html",
        {"links": [(name, label) for name, label, perm in links if has_perm(user, perm)]},
    )


# --- portfolio -----------------------------------------------------------------------------------
def _portfolio(request, *, group_by: str | None, title: str):
    try:
        on_date = selectors.parse_date(request.GET.get("date"))
        filters = selectors.filters_from(request.GET)
        by = request.GET.get("by") or group_by
        report = selectors.portfolio_report(
            user=request.user, on_date=on_date, filters=filters, group_by=by or None
        )
    except ValidationFailed as exc:
        return _error_page(request, exc, title=title, context={"show_by": True})
    label = DIMENSION_LABELS[report.group_by]() if report.group_by else ""
    report_tables = tables.portfolio_tables(report, dimension_label=label)
    if not report.currencies:
        report_tables = []
    chart = ""
    if report.group_by:
        for c in report.currencies:
            chart += charts.bar_chart(
                title=_("PAR30 by %(dimension)s, %(currency)s (%%)")
                % {"dimension": label, "currency": c.currency},
                labels=[s.label for s in c.slices],
                values=[(s.quality.par[30].ratio or Decimal(0)) * 100 for s in c.slices],
                value_format=lambda v: (
                    format_decimal(v, "#,##0.00", locale=current_locale()) + " %"
                ),
            )
    return _respond(
        request,
        report_tables,
        title=title,
        subtitle=_("At the end of %(date)s") % {"date": on_date.strftime("%d/%m/%Y")},
        template="reports/report.html",
        context={
            "report": report,
            "show_by": True,
            "chart": chart,
            "date": on_date,
            "empty": not report.currencies,
        },
        filename=f"portefeuille-{on_date.isoformat()}",
        pdf_extra=chart,
    )


@staff_page("reports.portfolio.view")
def portfolio(request):
    return _portfolio(request, group_by=None, title=_("Portfolio at risk"))


@staff_page("reports.portfolio.view")
def officers(request):
    return _portfolio(request, group_by="officer", title=_("Loans by officer"))


@staff_page("reports.arrears.view")
def arrears(request):
    title = _("Arrears list for follow-up")
    inst = institution_get()
    try:
        filters = selectors.filters_from(request.GET)
        min_days = int(request.GET.get("min_days") or 1)
        fmt = request.GET.get("format", "")
        limit = (
            None if fmt == "xlsx" else (ARREARS_PDF_LINES if fmt == "pdf" else ARREARS_SCREEN_LINES)
        )
        lines = selectors.arrears_list(
            user=request.user,
            filters=filters,
            min_days=min_days,
            limit=limit + 1 if limit else None,
        )
    except ValueError:
        return _error_page(
            request,
            ValidationFailed(_("Days late is a whole number."), field="min_days"),
            title=title,
        )
    except ValidationFailed as exc:
        return _error_page(request, exc, title=title)
    cut = limit is not None and len(lines) > limit
    table = tables.arrears_table(lines[:limit] if cut else lines, on_date=inst.business_date)
    if cut:
        table.notes.insert(
            0,
            _("Only the %(n)s most late loans are shown: the XLSX file holds the whole list.")
            % {"n": limit},
        )
    return _respond(
        request,
        [table],
        title=title,
        subtitle=table.subtitle,
        template="reports/report.html",
        context={"arrears": True, "min_days": min_days},
        filename=table.filename,
    )


# --- indicators ------------------------------------------------------------------------------------
@staff_page("reports.indicators.view")
def indicators(request):
    title = _("Performance indicators")
    inst = institution_get()
    try:
        date_to = selectors.parse_date(request.GET.get("to"), field="to")
        date_from = selectors.parse_date(
            request.GET.get("from"), field="from", default=date_to.replace(month=1, day=1)
        )
        inflation = selectors.parse_inflation(request.GET.get("inflation"))
        report = selectors.indicators_report(
            user=request.user,
            date_from=date_from,
            date_to=date_to,
            currency=request.GET.get("currency") or inst.base_currency,
            inflation=inflation,
            filters=selectors.scoped(request.user, selectors.filters_from(request.GET)),
        )
    except ValidationFailed as exc:
        return _error_page(request, exc, title=title, template="reports/indicators.html")
    table = tables.indicators_table(report)
    rows = []
    for i in report.indicators:
        label, formula = tables.INDICATOR_LABELS[i.key]
        rows.append((i, label, formula, tables.indicator_value(i, report.currency)))
    return _respond(
        request,
        [table],
        title=title,
        subtitle=table.subtitle,
        template="reports/indicators.html",
        context={
            "report": report,
            "rows": rows,
            "caveat": tables.COLLECTION_RATE_CAVEAT,
            "inflation_percent": (report.inflation * 100).normalize(),
        },
        filename=table.filename,
    )


# --- outreach ----------------------------------------------------------------------------------------
@staff_page("reports.outreach.view")
def outreach(request):
    title = _("Outreach: the traders served")
    try:
        on_date = selectors.parse_date(request.GET.get("date"))
        report = selectors.outreach_report(
            user=request.user, on_date=on_date, filters=selectors.filters_from(request.GET)
        )
    except ValidationFailed as exc:
        return _error_page(request, exc, title=title)
    return _respond(
        request,
        tables.outreach_tables(report),
        title=title,
        subtitle=_("At the end of %(date)s") % {"date": on_date.strftime("%d/%m/%Y")},
        template="reports/report.html",
        context={"date": on_date, "outreach": True},
        filename=f"portee-{on_date.isoformat()}",
    )


# --- statements and the monthly pack -----------------------------------------------------------------
@staff_page("reports.financial.view")
def statements(request):
    from mupaka.ledger.reports import statement_of

    title = _("Financial statements")
    try:
        on_date = selectors.parse_date(request.GET.get("date"))
        fs = selectors.financial_statements(
            user=request.user, on_date=on_date, currency=request.GET.get("currency")
        )
    except ValidationFailed as exc:
        return _error_page(request, exc, title=title, context={"statements": True})
    return _respond(
        request,
        [statement_of(fs.balance_sheet), statement_of(fs.income_statement)],
        title=title,
        subtitle=f"{fs.currency} · {on_date.strftime('%d/%m/%Y')}",
        template="reports/report.html",
        context={"date": on_date, "statements": True, "currency": fs.currency},
        filename=f"etats-financiers-{fs.currency}-{on_date.isoformat()}",
    )


def _last_month_end(business: dt.date) -> dt.date:
    return business.replace(day=1) - dt.timedelta(days=1)


@staff_page("reports.financial.view")
def monthly_pack(request):
    title = _("Central bank's monthly pack")
    inst = institution_get()
    try:
        on_date = selectors.parse_date(
            request.GET.get("date"), default=_last_month_end(inst.business_date)
        )
        pack = selectors.monthly_pack(
            user=request.user, on_date=on_date, currency=request.GET.get("currency")
        )
    except ValidationFailed as exc:
        return _error_page(request, exc, title=title, context={"statements": True})
    return _respond(
        request,
        tables.monthly_pack_tables(pack),
        title=title,
        subtitle=f"{pack.currency} · {on_date.strftime('%d/%m/%Y')}",
        template="reports/report.html",
        context={"date": on_date, "statements": True, "currency": pack.currency, "pack": pack},
        filename=f"rapport-mensuel-bcc-{pack.currency}-{on_date.isoformat()}",
    )


@staff_page("reports.financial.view")
def exchange_position(request):
    title = _("Exchange position")
    inst = institution_get()
    try:
        on_date = selectors.parse_date(
            request.GET.get("date"), default=_last_month_end(inst.business_date)
        )
        position = selectors.exchange_position_report(user=request.user, on_date=on_date)
    except ValidationFailed as exc:
        return _error_page(request, exc, title=title)
    return _respond(
        request,
        [tables.exchange_position_table(position)],
        title=title,
        subtitle=f"{position.base} · {on_date.strftime('%d/%m/%Y')}",
        template="reports/report.html",
        context={"date": on_date},
        filename=f"position-de-change-{on_date.isoformat()}",
    )


# --- dashboard -------------------------------------------------------------------------------------
@staff_page("reports.dashboard.view")
def dashboard(request):
    title = _("Manager's dashboard")
    inst = institution_get()
    currency = (request.GET.get("currency") or inst.base_currency).upper()
    if currency not in inst.accepted_currencies:
        currency = inst.base_currency
    try:
        trends = selectors.dashboard_trends(user=request.user, currency=currency)
    except ValidationFailed as exc:
        return _error_page(request, exc, title=title, template="reports/dashboard.html")
    labels = [d.strftime("%m/%Y") for d in trends.dates[:-1]] + [trends.dates[-1].strftime("%d/%m")]

    def major(values):
        from mupaka.core.money import Money

        return [None if v is None else Money.from_minor(int(v), currency).amount for v in values]

    def pct(v: Decimal) -> str:
        return format_decimal(v, "#,##0.#", locale=current_locale()) + " %"

    chart_list = [
        (
            "glp",
            charts.line_chart(
                title=_("Outstanding portfolio (%(currency)s)") % {"currency": currency},
                labels=labels,
                series=[charts.Series(_("Portfolio"), major(trends.glp))],
            ),
        ),
        (
            "par30",
            charts.line_chart(
                title=_("PAR30 (%)"),
                labels=labels,
                series=[charts.Series("PAR30", trends.par30, charts.PALETTE[1])],
                y_format=pct,
            ),
        ),
        (
            "disbursed",
            charts.line_chart(
                title=_("Disbursed in the month (%(currency)s)") % {"currency": currency},
                labels=labels,
                series=[
                    charts.Series(_("Disbursements"), major(trends.disbursed), charts.PALETTE[2])
                ],
            ),
        ),
        (
            "savings",
            charts.line_chart(
                title=_("Savings deposits (%(currency)s)") % {"currency": currency},
                labels=labels,
                series=[charts.Series(_("Savings"), major(trends.savings), charts.PALETTE[3])],
            ),
        ),
        (
            "women",
            charts.line_chart(
                title=_("Women served"),
                labels=labels,
                series=[charts.Series(_("Women"), trends.women, charts.PALETTE[4])],
            ),
        ),
        (
            "par30_branch",
            charts.bar_chart(
                title=_("PAR30 by branch at the last close (%)"),
                labels=[r[0] for r in trends.par30_by_branch],
                values=[r[1] for r in trends.par30_by_branch],
                value_format=pct,
            ),
        ),
        (
            "par30_post",
            charts.bar_chart(
                title=_("PAR30 by border post at the last close (%)"),
                labels=[r[0] for r in trends.par30_by_border_post],
                values=[r[1] for r in trends.par30_by_border_post],
                value_format=pct,
            ),
        ),
    ]
    return render(
        request,
        "reports/dashboard.html",
        {
            "title": title,
            "charts": chart_list,
            "trends": trends,
            "currency": currency,
            "currencies": inst.accepted_currencies,
            "par30_by_branch": [
                (label, tables.Pct(None if v is None else v / 100))
                for label, v in trends.par30_by_branch
            ],
        },
    )


# --- prudential norms --------------------------------------------------------------------------------
@staff_page("reports.financial.view")
def norms(request):
    preset = selectors.preset_name()
    can_manage = has_perm(request.user, "reports.norms.manage")
    errors: dict = {}
    status = 200
    if request.method == "POST":
        if not can_manage:
            from mupaka.core.permissions import require_perm

            require_perm(request.user, "reports.norms.manage")
        try:
            if "load" in request.POST:
                n = services.prudential_norms_load(actor=request.user, preset=preset)
                messages.success(request, _("%(n)s norms loaded from the preset.") % {"n": n})
            else:
                services.prudential_norm_update(
                    actor=request.user,
                    norm_id=int(request.POST.get("norm") or 0),
                    comparator=request.POST.get("comparator", ""),
                    threshold_percent=request.POST.get("threshold", ""),
                    is_example=request.POST.get("is_example") == "on",
                    source=request.POST.get("source", ""),
                    numerator=request.POST.get("numerator") or None,
                    denominator=request.POST.get("denominator") or None,
                )
                messages.success(request, _("The norm was saved."))
            return redirect("reports:norms")
        except MupakaError as exc:
            errors = {
                "norm": request.POST.get("norm"),
                "message": exc.message,
                "fields": exc.errors,
            }
            status = exc.status
    rows = []
    for norm in PrudentialNorm.objects.filter(preset=preset):
        rows.append(
            {
                "norm": norm,
                "percent": (Decimal(norm.threshold) * 100).normalize(),
                "numerator": _accounts_text(norm.numerator),
                "denominator": _accounts_text(norm.denominator),
            }
        )
    return render(
        request,
        "reports/norms.html",
        {"rows": rows, "preset": preset, "can_manage": can_manage, "errors": errors},
        status=status,
    )


def _accounts_text(spec: dict) -> str:
    return ", ".join(list(spec.get("add", [])) + [f"-{n}" for n in spec.get("subtract", [])])
