"""Pages of the ledger: chart, journal, manual entries (maker-checker), reports with XLSX
and PDF, closed periods, currency rules, account mappings, verify."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mupaka.core.exceptions import MupakaError
from mupaka.core.money import Money
from mupaka.core.permissions import has_perm
from mupaka.core.selectors import institution_get
from mupaka.core.views_utils import form_add_error, staff_page
from mupaka.ledger import reports, selectors, services
from mupaka.ledger.forms import (
    CurrencyRuleForm,
    LineFormSet,
    ManualEntryForm,
    MappingForm,
    PeriodCloseForm,
    ReasonForm,
)
from mupaka.ledger.models import (
    Account,
    AccountMapping,
    CurrencyRule,
    DraftStatus,
    JournalEntry,
    ManualEntryDraft,
    PeriodClose,
)
from mupaka.ledger.roles import MAPPING_ROLES
from mupaka.ledger.services.manual import draft_lines, lines_from_input
from mupaka.ledger.verify import run_checks


def _date(value: str | None, default: dt.date | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _currency(request, inst) -> str:
    cur = (request.GET.get("currency") or inst.base_currency).upper()
    return cur if cur in inst.accepted_currencies else inst.base_currency


def _posting_accounts():
    return Account.objects.filter(is_header=False, is_active=True).order_by("number")


def _render_table(request, table: reports.Table, template: str, extra: dict):
    fmt = request.GET.get("format", "")
    if fmt == "xlsx":
        response = HttpResponse(
            reports.table_to_xlsx(table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{table.filename}.xlsx"'
        return response
    if fmt == "pdf":
        response = HttpResponse(
            reports.table_to_pdf(table, institution=institution_get()),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = f'inline; filename="{table.filename}.pdf"'
        return response
    return render(request, template, {"table": table, **extra})


# --- home and chart --------------------------------------------------------------------
@staff_page("ledger.view")
def index(request):
    pending = ManualEntryDraft.objects.filter(status=DraftStatus.PENDING).count()
    return render(
        request,
        "ledger/index.html",
        {"pending": pending, "closed_through": selectors.closed_through()},
    )


@staff_page("ledger.view")
def account_list(request):
    accounts = list(Account.objects.order_by("number"))
    balances: dict[int, list] = {}
    from mupaka.ledger.models import AccountBalance

    for b in AccountBalance.objects.all():
        balances.setdefault(b.account_id, []).append(
            selectors.Balance(b.currency, b.debit_minor, b.credit_minor)
        )
    rows = [(a, balances.get(a.pk, [])) for a in accounts]
    return render(request, "ledger/account_list.html", {"rows": rows})


@staff_page("ledger.view")
def account_statement(request, number: str):
    inst = institution_get()
    account = selectors.account_get(number)
    date_to = _date(request.GET.get("to"), inst.business_date)
    date_from = _date(request.GET.get("from"), date_to.replace(day=1))
    currency = account.currency or _currency(request, inst)
    try:
        st = selectors.account_statement(
            account, date_from=date_from, date_to=date_to, currency=currency
        )
    except MupakaError as exc:
        messages.error(request, exc.message)
        return redirect("ledger:accounts")
    table = reports.statement_table(st)
    return _render_table(
        request,
        table,
        "ledger/report.html",
        {
            "account": account,
            "date_from": date_from,
            "date_to": date_to,
            "currency": currency,
            "filters": "period",
            "currencies": inst.accepted_currencies,
        },
    )


# --- journal -------------------------------------------------------------------------------
@staff_page("ledger.view")
def journal(request):
    q = request.GET
    account = (
        Account.objects.filter(number=q.get("account", "").strip()).first()
        if q.get("account")
        else None
    )
    entries = selectors.entry_list(
        account=account,
        date_from=_date(q.get("from"), None) if q.get("from") else None,
        date_to=_date(q.get("to"), None) if q.get("to") else None,
        source_type=q.get("source", "").strip(),
    ).select_related("actor", "approved_by")
    page = Paginator(entries, 50).get_page(q.get("page"))
    return render(request, "ledger/journal.html", {"page": page, "q": q})


@staff_page("ledger.view")
def entry_detail(request, number: int):
    entry = selectors.entry_get(number)
    lines = entry.lines.select_related("account").order_by("line_no")
    reversed_by = JournalEntry.objects.filter(reversal_of=entry).first()
    pending_reversal = ManualEntryDraft.objects.filter(
        reverse_entry=entry, status=DraftStatus.PENDING
    ).first()
    return render(
        request,
        "ledger/entry_detail.html",
        {
            "entry": entry,
            "lines": lines,
            "reversed_by": reversed_by,
            "pending_reversal": pending_reversal,
            "reverse_form": ReasonForm(),
            "can_reverse": has_perm(request.user, "ledger.entry.reverse"),
        },
    )


@require_POST
@staff_page("ledger.entry.reverse")
def entry_reverse(request, number: int):
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            draft = services.reversal_request_create(
                actor=request.user,
                entry=number,
                reason=form.cleaned_data["reason"],
                idempotency_key=request.POST.get("idempotency_key") or f"page-{uuid.uuid4()}",
            )
            messages.success(request, _("The reversal waits for a second person's approval."))
            return redirect("ledger:draft_detail", pk=draft.pk)
        except MupakaError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Give the reason for the reversal."))
    return redirect("ledger:entry_detail", number=number)


# --- manual entries (maker-checker) -----------------------------------------------------------
@staff_page("ledger.view")
def draft_list(request):
    status = request.GET.get("status", DraftStatus.PENDING)
    drafts = ManualEntryDraft.objects.select_related("maker", "checker", "reverse_entry")
    if status in DraftStatus.values:
        drafts = drafts.filter(status=status)
    page = Paginator(drafts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/draft_list.html",
        {"page": page, "status": status, "statuses": DraftStatus.choices},
    )


@staff_page("ledger.entry.create")
def draft_create(request):
    inst = institution_get()
    form = ManualEntryForm(request.POST or None, initial={"business_date": inst.business_date})
    formset = LineFormSet(request.POST or None, prefix="lines")
    key = request.POST.get("idempotency_key") or str(uuid.uuid4())
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            rows = [f.cleaned_data for f in formset.forms if f.cleaned_data]
            draft = services.manual_entry_create(
                actor=request.user,
                business_date=form.cleaned_data["business_date"],
                narrative=form.cleaned_data["narrative"],
                lines=lines_from_input(rows),
                idempotency_key=key,
            )
            messages.success(request, _("The entry waits for a second person's approval."))
            return redirect("ledger:draft_detail", pk=draft.pk)
        except MupakaError as exc:
            form_add_error(form, exc)
            for message in exc.errors.get("lines", []):
                if message != exc.message:
                    form.add_error(None, message)
    return render(
        request,
        "ledger/draft_form.html",
        {"form": form, "formset": formset, "key": key, "accounts": _posting_accounts()},
    )


@staff_page("ledger.view")
def draft_detail(request, pk: int):
    draft = (
        ManualEntryDraft.objects.select_related("maker", "checker", "reverse_entry", "posted_entry")
        .filter(pk=pk)
        .first()
    )
    if draft is None:
        messages.error(request, _("There is no such draft."))
        return redirect("ledger:drafts")
    lines = draft_lines(draft) if draft.kind == "entry" else []
    can_decide = (
        draft.status == DraftStatus.PENDING
        and has_perm(request.user, "ledger.entry.approve")
        and draft.maker_id != request.user.pk
    )
    can_withdraw = draft.status == DraftStatus.PENDING and draft.maker_id == request.user.pk
    return render(
        request,
        "ledger/draft_detail.html",
        {
            "draft": draft,
            "lines": lines,
            "can_decide": can_decide,
            "can_withdraw": can_withdraw,
            "reject_form": ReasonForm(),
        },
    )


@require_POST
@staff_page("ledger.entry.approve")
def draft_approve(request, pk: int):
    try:
        entry = services.manual_entry_approve(actor=request.user, draft=pk)
        messages.success(request, _("Entry %(number)s is posted.") % {"number": entry.number})
        return redirect("ledger:entry_detail", number=entry.number)
    except MupakaError as exc:
        messages.error(request, exc.message)
        return redirect("ledger:draft_detail", pk=pk)


@require_POST
@staff_page("ledger.view")
def draft_reject(request, pk: int):
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            messages.error(request, _("Give the reason for the rejection."))
        else:
            services.manual_entry_reject(
                actor=request.user, draft=pk, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The draft is rejected; nothing was posted."))
    except MupakaError as exc:
        messages.error(request, exc.message)
    return redirect("ledger:draft_detail", pk=pk)


# --- reports -------------------------------------------------------------------------------------
@staff_page("ledger.view")
def trial_balance(request):
    inst = institution_get()
    as_of = _date(request.GET.get("date"), inst.business_date)
    currency = _currency(request, inst)
    tb = selectors.trial_balance(as_of=as_of, currency=currency)
    return _render_table(
        request,
        reports.trial_balance_table(tb),
        "ledger/report.html",
        {
            "as_of": as_of,
            "currency": currency,
            "filters": "date",
            "currencies": inst.accepted_currencies,
        },
    )


@staff_page("ledger.view")
def balance_sheet(request):
    inst = institution_get()
    as_of = _date(request.GET.get("date"), inst.business_date)
    currency = _currency(request, inst)
    fs = selectors.balance_sheet(as_of=as_of, currency=currency)
    return _render_table(
        request,
        reports.statement_of(fs),
        "ledger/report.html",
        {
            "as_of": as_of,
            "currency": currency,
            "filters": "date",
            "currencies": inst.accepted_currencies,
        },
    )


@staff_page("ledger.view")
def income_statement(request):
    inst = institution_get()
    date_to = _date(request.GET.get("to"), inst.business_date)
    date_from = _date(request.GET.get("from"), date_to.replace(month=1, day=1))
    currency = _currency(request, inst)
    try:
        fs = selectors.income_statement(date_from=date_from, date_to=date_to, currency=currency)
    except MupakaError as exc:
        messages.error(request, exc.message)
        return redirect("ledger:index")
    return _render_table(
        request,
        reports.statement_of(fs),
        "ledger/report.html",
        {
            "date_from": date_from,
            "date_to": date_to,
            "currency": currency,
            "filters": "period",
            "currencies": inst.accepted_currencies,
        },
    )


@staff_page("ledger.view")
def general_ledger(request):
    inst = institution_get()
    date_to = _date(request.GET.get("to"), inst.business_date)
    date_from = _date(request.GET.get("from"), date_to.replace(day=1))
    currency = _currency(request, inst)
    statements = selectors.general_ledger(date_from=date_from, date_to=date_to, currency=currency)
    table = reports.general_ledger_table(
        statements, currency=currency, date_from=date_from, date_to=date_to
    )
    return _render_table(
        request,
        table,
        "ledger/report.html",
        {
            "date_from": date_from,
            "date_to": date_to,
            "currency": currency,
            "filters": "period",
            "currencies": inst.accepted_currencies,
        },
    )


# --- periods, currency rules, mappings, verify -----------------------------------------------------
@staff_page("ledger.view")
def periods(request):
    form = PeriodCloseForm(request.POST or None)
    reopen_form = ReasonForm(prefix="reopen")
    if request.method == "POST":
        if "reopen-reason" in request.POST:
            reopen_form = ReasonForm(request.POST, prefix="reopen")
            if reopen_form.is_valid():
                try:
                    services.period_reopen(
                        actor=request.user, reason=reopen_form.cleaned_data["reason"]
                    )
                    messages.success(request, _("The last closed month is open again."))
                    return redirect("ledger:periods")
                except MupakaError as exc:
                    form_add_error(reopen_form, exc)
        elif form.is_valid():
            try:
                services.period_close(
                    actor=request.user,
                    year=form.cleaned_data["year"],
                    month=form.cleaned_data["month"],
                )
                messages.success(request, _("The month is closed."))
                return redirect("ledger:periods")
            except MupakaError as exc:
                form_add_error(form, exc)
    return render(
        request,
        "ledger/periods.html",
        {
            "form": form,
            "reopen_form": reopen_form,
            "closings": PeriodClose.objects.select_related("closed_by", "reopened_by")[:36],
            "closed_through": selectors.closed_through(),
            "can_close": has_perm(request.user, "ledger.period.close"),
            "can_reopen": has_perm(request.user, "ledger.period.reopen"),
        },
    )


@staff_page("ledger.view")
def currency_rules(request):
    form = CurrencyRuleForm(request.POST or None)
    can_edit = has_perm(request.user, "ledger.currency_rule.manage")
    if request.method == "POST" and can_edit and form.is_valid():
        try:
            services.currency_rule_set(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Currency rule saved."))
            return redirect("ledger:currency_rules")
        except MupakaError as exc:
            form_add_error(form, exc)
    rules = [
        (r, Money.from_minor(r.cash_multiple_minor, r.currency)) for r in CurrencyRule.objects.all()
    ]
    return render(
        request, "ledger/currency_rules.html", {"form": form, "rules": rules, "can_edit": can_edit}
    )


@staff_page("ledger.view")
def mappings(request):
    form = MappingForm(request.POST or None)
    can_edit = has_perm(request.user, "ledger.mapping.manage")
    if request.method == "POST" and can_edit and form.is_valid():
        try:
            services.mapping_set(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Mapping saved."))
            return redirect("ledger:mappings")
        except MupakaError as exc:
            form_add_error(form, exc)
    rows = AccountMapping.objects.select_related("account").order_by(
        "scope_type", "scope_id", "role", "currency"
    )
    return render(
        request,
        "ledger/mappings.html",
        {
            "form": form,
            "rows": rows,
            "roles": MAPPING_ROLES,
            "can_edit": can_edit,
            "accounts": _posting_accounts(),
        },
    )


@staff_page("ledger.verify")
def verify(request):
    results = run_checks() if request.method == "POST" else None
    return render(request, "ledger/verify.html", {"results": results})
