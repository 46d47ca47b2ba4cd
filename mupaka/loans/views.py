"""Loan pages. Thin: read the form, call one service, show the result or the service's
refusal on the form."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mupaka.core.exceptions import Conflict, MupakaError, NotFound, ValidationFailed
from mupaka.core.models import AuditLog
from mupaka.core.money import Money
from mupaka.core.money_format import format_money
from mupaka.core.permissions import has_perm
from mupaka.core.selectors import business_date_get, institution_get
from mupaka.core.views_utils import form_add_error
from mupaka.core.views_utils import staff_page as core_staff_page
from mupaka.loans import engine, forms, selectors, services
from mupaka.loans.models import (
    WITHDRAWABLE_STATUSES,
    Appraisal,
    GroupLoan,
    Guarantor,
    LoanProduct,
    LoanRequest,
    LoanStatus,
    RequestKind,
    TxKind,
)
from mupaka.loans.services import CashFlowData, GuarantorData, ProductData, ShareData
from mupaka.members import selectors as member_selectors
from mupaka.members.models import SolidarityGroup

USER_ERRORS = (ValidationFailed, Conflict, NotFound)


def staff_page(perm: str):
    """core's staff_page; a NotFound from a selector becomes the 404 page."""

    def decorator(view):
        @wraps(view)
        def inner(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message)

        return core_staff_page(perm)(inner)

    return decorator


def _money(form, field: str, currency: str) -> Money | None:
    value = form.cleaned_data.get(field)
    return None if value is None else Money(value, currency)


def _show_error(request, exc: MupakaError) -> None:
    messages.error(request, exc.message)


# --- products --------------------------------------------------------------------------
@staff_page("loan_product.manage")
def product_list(request):
    products = selectors.loan_product_list(user=request.user)
    return render(request, "loans/product_list.html", {"products": products})


def _product_data(form) -> ProductData:
    c = form.cleaned_data
    return ProductData(
        **{
            k: (c.get(k) if c.get(k) is not None else "")
            for k in (
                "code",
                "name",
                "currency",
                "min_principal",
                "max_principal",
                "frequency",
                "interest_method",
                "min_rate",
                "max_rate",
                "amortization",
                "interest_period",
                "days_in_year",
                "days_in_month",
                "rounding",
                "disbursement_fee",
                "installment_fee",
                "penalty",
                "penalty_basis",
                "allocation_strategy",
                "allocation_order",
                "prepayment",
                "accounting",
                "description",
            )
        },  # fmt: skip
        min_installments=c["min_installments"],
        max_installments=c["max_installments"],
        default_installments=c.get("default_installments"),
        every=c.get("every") or 1,
        default_rate=c.get("default_rate"),
        grace_principal=c.get("grace_principal") or 0,
        grace_interest_payment=c.get("grace_interest_payment") or 0,
        grace_interest_free=c.get("grace_interest_free") or 0,
        installment_multiple=c.get("installment_multiple"),
        disbursement_fee_amount=c.get("disbursement_fee_amount") or Decimal(0),
        disbursement_fee_deducted=c.get("disbursement_fee_deducted", False),
        installment_fee_amount=c.get("installment_fee_amount") or Decimal(0),
        penalty_amount=c.get("penalty_amount") or Decimal(0),
        penalty_tolerance_days=c.get("penalty_tolerance_days") or 0,
        penalty_repeat_every_days=c.get("penalty_repeat_every_days"),
        guarantee_savings_percent=c.get("guarantee_savings_percent") or Decimal(0),
        max_installment_share=c.get("max_installment_share") or Decimal(0),
        for_individuals=c.get("for_individuals", False),
        for_groups=c.get("for_groups", False),
        is_active=c.get("is_active", False),
    )


@staff_page("loan_product.manage")
def product_edit(request, pk: int | None = None):
    product = selectors.loan_product_get(user=request.user, product_id=pk) if pk else None
    initial = None
    if product is not None:
        data = services.product_data(product)
        initial = {k: getattr(data, k) for k in forms.ProductForm.base_fields if hasattr(data, k)}
    else:
        initial = {"currency": institution_get().base_currency}
    form = forms.ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = _product_data(form)
            if product is None:
                product = services.loan_product_create(actor=request.user, data=data)
            else:
                product = services.loan_product_update(
                    actor=request.user, product=product, data=data
                )
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Product %(code)s saved.") % {"code": product.code})
            return redirect("loans:product_list")
    return render(request, "loans/product_form.html", {"form": form, "product": product})


@staff_page("loan_product.view")
def product_accounts(request, pk: int):
    """The accounts a product's loans post to; the accountant may give it its own."""
    product = selectors.loan_product_get(user=request.user, product_id=pk)
    can_edit = has_perm(request.user, "ledger.mapping.manage")
    form = forms.ProductAccountForm(request.POST or None)
    if request.method == "POST":
        from mupaka.core.permissions import require_perm

        require_perm(request.user, "ledger.mapping.manage")
        if form.is_valid():
            try:
                services.loan_product_account_set(
                    actor=request.user,
                    product=product,
                    role=form.cleaned_data["role"],
                    account=form.cleaned_data["account"].strip(),
                )
            except USER_ERRORS as exc:
                form_add_error(form, exc)
            else:
                messages.success(
                    request, _("Account saved for product %(code)s.") % {"code": product.code}
                )
                return redirect("loans:product_accounts", pk=product.pk)
    return render(
        request,
        "loans/product_accounts.html",
        {
            "product": product,
            "rows": services.loan_product_accounts(product),
            "form": form,
            "can_edit": can_edit,
        },
    )


# --- loans -----------------------------------------------------------------------------
@staff_page("loan.view")
def loan_list(request):
    status = request.GET.get("status", "")
    if status not in LoanStatus.values:
        status = ""
    q = request.GET.get("q", "")
    loans = selectors.loan_list(user=request.user, status=status, query=q)
    page = Paginator(loans, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "loans/loan_list.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "statuses": LoanStatus.choices,
            "can_apply": has_perm(request.user, "loan.apply"),
        },
    )


def _cash_flow(form, prefix: str = "") -> CashFlowData | None:
    c = form.cleaned_data
    sales, purchases = c.get(f"daily_sales{prefix}"), c.get(f"daily_purchases{prefix}")
    if sales is None and purchases is None:
        return None

    def val(name):
        v = c.get(name)
        return v if v is not None else Decimal(0)

    return CashFlowData(
        daily_sales=val("daily_sales"),
        daily_purchases=val("daily_purchases"),
        trading_days_per_week=c.get("trading_days_per_week")
        if c.get("trading_days_per_week") is not None
        else 6,
        trips_per_week=c.get("trips_per_week") or 0,
        cost_per_trip=val("cost_per_trip"),
        other_business_costs=val("other_business_costs"),
        other_income=val("other_income"),
        household_costs=val("household_costs"),
        other_debts=val("other_debts"),
    )


@staff_page("loan.apply")
def loan_apply(request):
    initial = {}
    if request.GET.get("member"):
        initial["member"] = request.GET["member"]
    form = forms.ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            member = member_selectors.member_get_by_number(user=request.user, number=c["member"])
        except USER_ERRORS as exc:
            form.add_error("member", exc.message)
            member = None
        guarantor = None
        if c.get("guarantor_member"):
            try:
                guarantor = GuarantorData(
                    member=member_selectors.member_get_by_number(
                        user=request.user, number=c["guarantor_member"]
                    ),
                    relation=c.get("guarantor_relation") or "",
                )
            except USER_ERRORS as exc:
                form.add_error("guarantor_member", exc.message)
        elif c.get("guarantor_name"):
            guarantor = GuarantorData(
                name=c["guarantor_name"],
                phone=c.get("guarantor_phone") or "",
                relation=c.get("guarantor_relation") or "",
            )
        if member is not None and not form.errors:
            product = c["product"]
            try:
                loan = services.loan_apply(
                    actor=request.user,
                    member=member,
                    product=product,
                    principal=Money(c["principal"], product.currency),
                    installments=c.get("installments"),
                    annual_rate=c.get("annual_rate"),
                    purpose=c["purpose"],
                    expected_disbursement_date=c.get("expected_disbursement_date"),
                    first_due_date=c.get("first_due_date"),
                    collateral=c.get("collateral") or "",
                    guarantors=[guarantor] if guarantor else [],
                    cash_flow=_cash_flow(form),
                    override_reason=c.get("override_reason") or "",
                )
            except USER_ERRORS as exc:
                form_add_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Application %(number)s filed for %(member)s; it goes to the credit committee."
                    )
                    % {"number": loan.number, "member": member.full_name},
                )
                return redirect("loans:loan_detail", pk=loan.pk)
    return render(request, "loans/apply.html", {"form": form})


@staff_page("loan.apply")
def group_apply_choose(request):
    """Which solidarity group applies (then its members' shares)."""
    from mupaka.members import selectors as ms

    q = request.GET.get("q", "")
    groups = ms.group_list(user=request.user, query=q)[:100]
    return render(request, "loans/group_choose.html", {"groups": groups, "q": q})


@staff_page("loan.apply")
def group_loan_apply(request, group_pk: int):
    from mupaka.members import selectors as ms

    group = ms.group_get(user=request.user, group_id=group_pk)
    members = ms.group_active_members(group)
    form = forms.GroupApplicationForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        product = c["product"]
        shares = []
        for m in members:
            amount = c.get(f"share_{m.pk}")
            if not amount:
                continue
            sales = c.get(f"sales_{m.pk}")
            flow = None
            if sales is not None:
                flow = CashFlowData(
                    daily_sales=sales,
                    daily_purchases=c.get(f"purchases_{m.pk}") or Decimal(0),
                    trading_days_per_week=c.get(f"days_{m.pk}")
                    if c.get(f"days_{m.pk}") is not None
                    else 6,
                    household_costs=c.get(f"household_{m.pk}") or Decimal(0),
                )
            shares.append(
                ShareData(
                    member=m,
                    principal=Money(amount, product.currency),
                    cash_flow=flow,
                    override_reason=c.get(f"reason_{m.pk}") or "",
                )
            )
        try:
            group_loan = services.group_loan_apply(
                actor=request.user,
                group=group,
                product=product,
                shares=shares,
                purpose=c["purpose"],
                installments=c.get("installments"),
                annual_rate=c.get("annual_rate"),
                expected_disbursement_date=c.get("expected_disbursement_date"),
            )
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(
                request,
                _("Group application %(number)s filed for %(group)s.")
                % {"number": group_loan.number, "group": group.name},
            )
            return redirect("loans:group_loan_detail", pk=group_loan.pk)
    return render(request, "loans/group_apply.html", {"form": form, "group": group})


@staff_page("loan.approve")
def pipeline(request):
    loans, groups = selectors.pipeline(user=request.user)
    approved, approved_groups = selectors.approved_waiting(user=request.user)
    return render(
        request,
        "loans/pipeline.html",
        {
            "loans": loans,
            "groups": groups,
            "approved": approved,
            "approved_groups": approved_groups,
            "requests": selectors.loan_requests(user=request.user),
        },
    )


def _history(loan_ids, group_loan_id=None):
    qs = AuditLog.objects.select_related("actor").filter(
        object_type="loans.loan", object_id__in=[str(i) for i in loan_ids]
    )
    if group_loan_id:
        qs = qs | AuditLog.objects.select_related("actor").filter(
            object_type="loans.grouploan", object_id=str(group_loan_id)
        )
    return qs.order_by("-at", "-id")[:50]


@staff_page("loan.view")
def loan_detail(request, pk: int):
    loan = selectors.loan_get(user=request.user, loan_id=pk)
    on = business_date_get()
    view = selectors.loan_view(loan)
    user = request.user
    txs = selectors.loan_transactions(loan)
    context = {
        "loan": loan,
        "on": on,
        "rows": selectors.schedule_rows(view, on),
        "summary": selectors.loan_summary(loan, view if loan.schedule_version else None, on),
        "transactions": txs,
        "requests": LoanRequest.objects.filter(loan=loan).select_related(
            "requested_by", "decided_by"
        ),
        "guarantors": Guarantor.objects.filter(loan=loan).select_related("member"),
        "appraisal": Appraisal.objects.filter(loan=loan).first(),
        "history": _history([loan.pk]),
        "disclosure": selectors.disclosure(loan),
        "approve_form": forms.ApproveForm(),
        "reject_form": forms.ReasonForm(),
        "withdraw_form": forms.WithdrawForm(prefix="withdraw"),
        "reschedule_form": forms.RescheduleForm(initial={"installments": loan.installments}),
        "waiver_form": forms.WaiverForm(),
        "reason_form": forms.ReasonForm(),
        "reversible": [
            t
            for t in txs
            if t.kind == TxKind.REPAYMENT
            and not t.reversed
            and t.schedule_version == loan.schedule_version
        ],
        "can": {
            "approve": loan.status == LoanStatus.SUBMITTED
            and not loan.group_loan_id
            and has_perm(user, "loan.approve")
            and user.pk != loan.filed_by_id,
            "disburse": loan.status == LoanStatus.APPROVED
            and not loan.group_loan_id
            and has_perm(user, "loan.disburse"),
            "withdraw": loan.status in WITHDRAWABLE_STATUSES
            and not loan.group_loan_id
            and has_perm(user, "loan.withdraw"),
            "repay": loan.status == LoanStatus.ACTIVE and has_perm(user, "loan.repay"),
            "reschedule": loan.status == LoanStatus.ACTIVE
            and loan.reschedule_count == 0
            and has_perm(user, "loan.reschedule"),
            "write_off": loan.status == LoanStatus.ACTIVE
            and has_perm(user, "loan.write_off.request"),
            "waive": loan.status == LoanStatus.ACTIVE and has_perm(user, "loan.waiver.request"),
            "reverse": loan.status in (LoanStatus.ACTIVE, LoanStatus.CLOSED)
            and has_perm(user, "loan.reversal.request"),
            "refund": loan.credit_minor > 0 and has_perm(user, "loan.refund"),
            "recovery": loan.status == LoanStatus.WRITTEN_OFF and has_perm(user, "loan.recovery"),
        },
    }
    return render(request, "loans/loan_detail.html", context)


@require_POST
@staff_page("loan.approve")
def loan_approve(request, pk: int):
    loan = selectors.loan_get(user=request.user, loan_id=pk)
    form = forms.ApproveForm(request.POST)
    if form.is_valid():
        try:
            services.loan_approve(
                actor=request.user,
                loan=loan,
                approved_principal=_money(form, "approved_principal", loan.currency),
                note=form.cleaned_data.get("note") or "",
            )
        except USER_ERRORS as exc:
            _show_error(request, exc)
        else:
            messages.success(request, _("Loan %(number)s approved.") % {"number": loan.number})
    return redirect("loans:loan_detail", pk=loan.pk)


@require_POST
@staff_page("loan.approve")
def loan_reject(request, pk: int):
    loan = selectors.loan_get(user=request.user, loan_id=pk)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the rejection."))
    else:
        try:
            services.loan_reject(actor=request.user, loan=loan, reason=form.cleaned_data["reason"])
        except USER_ERRORS as exc:
            _show_error(request, exc)
        else:
            messages.success(request, _("Loan %(number)s rejected.") % {"number": loan.number})
    return redirect("loans:loan_detail", pk=loan.pk)


@require_POST
@staff_page("loan.withdraw")
def loan_withdraw(request, pk: int):
    loan = selectors.loan_get(user=request.user, loan_id=pk)
    form = forms.WithdrawForm(request.POST, prefix="withdraw")
    if not form.is_valid():
        messages.error(request, _("Give the reason for the withdrawal."))
    else:
        try:
            services.loan_withdraw(
                actor=request.user, loan=loan, reason=form.cleaned_data["reason"]
            )
        except USER_ERRORS as exc:
            _show_error(request, exc)
        else:
            messages.success(
                request, _("Application %(number)s withdrawn.") % {"number": loan.number}
            )
    return redirect("loans:loan_detail", pk=loan.pk)


@staff_page("loan.disburse")
def loan_disburse(request, pk: int):
    loan = selectors.loan_get(user=request.user, loan_id=pk)
    disclosure = selectors.disclosure(loan)
    form = forms.DisburseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.loan_disburse(
                actor=request.user,
                loan=loan,
                channel=form.cleaned_data["channel"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Loan %(number)s disbursed.") % {"number": loan.number})
            return redirect("loans:loan_detail", pk=loan.pk)
    return render(
        request, "loans/disburse.html", {"loan": loan, "form": form, "disclosure": disclosure}
    )


@staff_page("loan.repay")
def loan_repay(request, pk: int):
    loan = selectors.loan_get(user=request.user, loan_id=pk)
    summary = selectors.loan_summary(loan)
    initial = {}
    if summary.due_today.amount > 0:
        initial["amount"] = summary.due_today.amount
    form = forms.RepayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        paid_by = None
        if c.get("paid_by"):
            try:
                paid_by = member_selectors.member_get_by_number(
                    user=request.user, number=c["paid_by"]
                )
            except USER_ERRORS as exc:
                form.add_error("paid_by", exc.message)
        if not form.errors:
            try:
                tx = services.loan_repay(
                    actor=request.user,
                    loan=loan,
                    amount=Money(c["amount"], loan.currency),
                    channel=c["channel"],
                    paid_by=paid_by,
                    memo=c.get("memo") or "",
                    idempotency_key=c["idempotency_key"],
                )
            except USER_ERRORS as exc:
                form_add_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Repayment of %(amount)s recorded on loan %(number)s (entry %(entry)s).")
                    % {
                        "amount": format_money(engine.money(tx.amount_minor, tx.currency)),
                        "number": loan.number,
                        "entry": tx.journal_entry_id,
                    },
                )
                return redirect("loans:loan_detail", pk=loan.pk)
    return render(request, "loans/repay.html", {"loan": loan, "form": form, "summary": summary})


@staff_page("loan.reschedule")
def loan_reschedule(request, pk: int):
    loan = selectors.loan_get(user=request.user, loan_id=pk)
    form = forms.RescheduleForm(request.POST or None, initial={"installments": loan.installments})
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.loan_reschedule(
                actor=request.user,
                loan=loan,
                installments=c["installments"],
                annual_rate=c.get("annual_rate"),
                grace_principal=c.get("grace_principal") or 0,
                grace_interest_payment=c.get("grace_interest_payment") or 0,
                grace_interest_free=c.get("grace_interest_free") or 0,
                reason=c["reason"],
            )
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Loan %(number)s rescheduled.") % {"number": loan.number})
            return redirect("loans:loan_detail", pk=loan.pk)
    return render(request, "loans/reschedule.html", {"loan": loan, "form": form})


def _request_perm(kind: str) -> str:
    return {
        RequestKind.WRITE_OFF: "loan.write_off.request",
        RequestKind.WAIVER: "loan.waiver.request",
        RequestKind.REVERSAL: "loan.reversal.request",
    }[RequestKind(kind)]


@require_POST
@staff_page("loan.view")
def loan_request_create(request, pk: int, kind: str):
    if kind not in RequestKind.values:
        raise Http404()
    loan = selectors.loan_get(user=request.user, loan_id=pk)
    from mupaka.core.permissions import require_perm

    require_perm(request.user, _request_perm(kind))
    extra = {}
    if kind == RequestKind.WAIVER:
        form = forms.WaiverForm(request.POST)
        if form.is_valid():
            extra = {
                "component": form.cleaned_data["component"],
                "amount": Money(form.cleaned_data["amount"], loan.currency),
            }
    else:
        form = forms.ReasonForm(request.POST)
        if kind == RequestKind.REVERSAL:
            try:
                extra = {"transaction": int(request.POST.get("transaction", ""))}
            except ValueError:
                extra = {"transaction": None}
    if not form.is_valid():
        messages.error(request, _("Give the reason and the amounts asked."))
        return redirect("loans:loan_detail", pk=loan.pk)
    try:
        services.loan_request_create(
            actor=request.user, loan=loan, kind=kind, reason=form.cleaned_data["reason"], **extra
        )
    except USER_ERRORS as exc:
        _show_error(request, exc)
    else:
        messages.success(request, _("Request recorded: another person must approve it."))
    return redirect("loans:loan_detail", pk=loan.pk)


@staff_page("loan.view")
def request_list(request):
    status = request.GET.get("status", "pending")
    qs = selectors.loan_requests(user=request.user, status=status if status != "all" else "")
    return render(
        request,
        "loans/request_list.html",
        {"requests": qs[:200], "status": status, "decide_form": forms.DecideForm()},
    )


def _get_request(user, pk: int) -> LoanRequest:
    found = selectors.loan_requests(user=user, status="").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such request."))
    return found


@require_POST
@staff_page("loan.view")
def request_approve(request, pk: int):
    req = _get_request(request.user, pk)
    form = forms.DecideForm(request.POST)
    if form.is_valid():
        try:
            services.loan_request_approve(
                actor=request.user,
                request=req,
                note=form.cleaned_data.get("note") or "",
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except USER_ERRORS as exc:
            _show_error(request, exc)
        else:
            messages.success(request, _("Request approved and carried out."))
    return redirect("loans:loan_detail", pk=req.loan_id)


@require_POST
@staff_page("loan.view")
def request_reject(request, pk: int):
    req = _get_request(request.user, pk)
    try:
        services.loan_request_reject(
            actor=request.user, request=req, note=request.POST.get("note", "")
        )
    except USER_ERRORS as exc:
        _show_error(request, exc)
    else:
        messages.success(request, _("Request refused."))
    return redirect("loans:loan_detail", pk=req.loan_id)


def _amount_view(request, pk: int, *, service, success: str, title: str, template_perm: str):
    loan = selectors.loan_get(user=request.user, loan_id=pk)
    form = forms.AmountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            service(
                actor=request.user,
                loan=loan,
                amount=Money(c["amount"], loan.currency),
                channel=c["channel"],
                idempotency_key=c["idempotency_key"],
            )
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, success % {"number": loan.number})
            return redirect("loans:loan_detail", pk=loan.pk)
    return render(request, "loans/amount_form.html", {"loan": loan, "form": form, "title": title})


@staff_page("loan.refund")
def loan_refund(request, pk: int):
    return _amount_view(
        request,
        pk,
        service=services.loan_credit_refund,
        success=_("Credit balance refunded on loan %(number)s."),
        title=_("Refund the credit balance"),
        template_perm="loan.refund",
    )


@staff_page("loan.recovery")
def loan_recovery(request, pk: int):
    return _amount_view(
        request,
        pk,
        service=services.loan_recovery,
        success=_("Recovery recorded on loan %(number)s."),
        title=_("Recovery on a written-off loan"),
        template_perm="loan.recovery",
    )


# --- disclosure sheet and statement ----------------------------------------------------
def _disclosure_context(loans, group_loan=None):
    sheets = [selectors.disclosure(loan) for loan in loans]
    return {
        "sheets": sheets,
        "group_loan": group_loan,
        "institution": institution_get(),
        "on": business_date_get(),
    }


def _pdf(html: str, filename: str) -> HttpResponse:
    from weasyprint import HTML

    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@staff_page("loan.view")
def loan_disclosure(request, pk: int, pdf: bool = False):
    loan = selectors.loan_get(user=request.user, loan_id=pk)
    context = _disclosure_context([loan])
    if pdf:
        from django.utils import translation

        with translation.override("fr"):
            html = render_to_string("loans/disclosure_print.html", context, request=request)
        return _pdf(html, f"fiche-{loan.number}.pdf")
    return render(request, "loans/disclosure.html", context)


@staff_page("loan.view")
def group_loan_disclosure(request, pk: int, pdf: bool = False):
    group_loan = selectors.group_loan_get(user=request.user, group_loan_id=pk)
    shares = [s for s in selectors.group_loan_shares(group_loan) if s.status != LoanStatus.REJECTED]
    context = _disclosure_context(shares, group_loan)
    if pdf:
        from django.utils import translation

        with translation.override("fr"):
            html = render_to_string("loans/disclosure_print.html", context, request=request)
        return _pdf(html, f"fiche-{group_loan.number}.pdf")
    return render(request, "loans/disclosure.html", context)


@staff_page("loan.view")
def loan_statement_pdf(request, pk: int):
    from django.utils import translation

    loan = selectors.loan_get(user=request.user, loan_id=pk)
    on = business_date_get()
    view = selectors.loan_view(loan)
    context = {
        "loan": loan,
        "on": on,
        "rows": selectors.schedule_rows(view, on),
        "summary": selectors.loan_summary(loan, view if loan.schedule_version else None, on),
        "transactions": [
            t for t in selectors.loan_transactions(loan) if t.kind not in (TxKind.REALLOCATION,)
        ],
        "institution": institution_get(),
    }
    with translation.override("fr"):
        html = render_to_string("loans/statement_print.html", context, request=request)
    return _pdf(html, f"releve-{loan.number}.pdf")


# --- group loans -----------------------------------------------------------------------
@staff_page("loan.view")
def group_loan_detail(request, pk: int):
    group_loan = selectors.group_loan_get(user=request.user, group_loan_id=pk)
    shares = selectors.group_loan_shares(group_loan)
    user = request.user
    return render(
        request,
        "loans/group_loan_detail.html",
        {
            "group_loan": group_loan,
            "shares": shares,
            "history": _history([s.pk for s in shares], group_loan.pk),
            "reject_form": forms.ReasonForm(),
            "withdraw_form": forms.WithdrawForm(prefix="withdraw"),
            "disburse_form": forms.DisburseForm(),
            "can": {
                "approve": group_loan.status == LoanStatus.SUBMITTED
                and has_perm(user, "loan.approve")
                and user.pk != group_loan.filed_by_id,
                "disburse": group_loan.status == LoanStatus.APPROVED
                and has_perm(user, "loan.disburse"),
                "withdraw": group_loan.status in WITHDRAWABLE_STATUSES
                and has_perm(user, "loan.withdraw"),
            },
        },
    )


@require_POST
@staff_page("loan.approve")
def group_loan_approve(request, pk: int):
    group_loan = selectors.group_loan_get(user=request.user, group_loan_id=pk)
    approved = {}
    try:
        for share in selectors.group_loan_shares(group_loan):
            raw = (request.POST.get(f"approved_{share.pk}") or "").strip().replace(",", ".")
            if raw != "":
                approved[share.pk] = Money.of(raw, share.currency)
    except (ValueError, TypeError):
        messages.error(request, _("An amount approved is not a number."))
        return redirect("loans:group_loan_detail", pk=group_loan.pk)
    try:
        services.group_loan_approve(
            actor=request.user,
            group_loan=group_loan,
            approved=approved,
            note=request.POST.get("note", ""),
        )
    except USER_ERRORS as exc:
        _show_error(request, exc)
    else:
        messages.success(
            request, _("Group loan %(number)s approved.") % {"number": group_loan.number}
        )
    return redirect("loans:group_loan_detail", pk=group_loan.pk)


@require_POST
@staff_page("loan.approve")
def group_loan_reject(request, pk: int):
    group_loan = selectors.group_loan_get(user=request.user, group_loan_id=pk)
    try:
        services.group_loan_reject(
            actor=request.user, group_loan=group_loan, reason=request.POST.get("reason", "")
        )
    except USER_ERRORS as exc:
        _show_error(request, exc)
    else:
        messages.success(
            request, _("Group loan %(number)s rejected.") % {"number": group_loan.number}
        )
    return redirect("loans:group_loan_detail", pk=group_loan.pk)


@require_POST
@staff_page("loan.withdraw")
def group_loan_withdraw(request, pk: int):
    group_loan = selectors.group_loan_get(user=request.user, group_loan_id=pk)
    form = forms.WithdrawForm(request.POST, prefix="withdraw")
    if not form.is_valid():
        messages.error(request, _("Give the reason for the withdrawal."))
    else:
        try:
            services.group_loan_withdraw(
                actor=request.user, group_loan=group_loan, reason=form.cleaned_data["reason"]
            )
        except USER_ERRORS as exc:
            _show_error(request, exc)
        else:
            messages.success(
                request,
                _("Group application %(number)s withdrawn.") % {"number": group_loan.number},
            )
    return redirect("loans:group_loan_detail", pk=group_loan.pk)


@require_POST
@staff_page("loan.disburse")
def group_loan_disburse(request, pk: int):
    group_loan = selectors.group_loan_get(user=request.user, group_loan_id=pk)
    form = forms.DisburseForm(request.POST)
    if form.is_valid():
        try:
            services.group_loan_disburse(
                actor=request.user,
                group_loan=group_loan,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except USER_ERRORS as exc:
            _show_error(request, exc)
        else:
            messages.success(
                request, _("Group loan %(number)s disbursed.") % {"number": group_loan.number}
            )
    return redirect("loans:group_loan_detail", pk=group_loan.pk)


# --- arrears -------------------------------------------------------------------------------
@staff_page("loan.arrears.view")
def arrears(request):
    try:
        min_days = max(int(request.GET.get("days", "1")), 1)
    except ValueError:
        min_days = 1
    loans = selectors.arrears_list(user=request.user, min_days=min_days)
    page = Paginator(loans, 50).get_page(request.GET.get("page"))
    return render(request, "loans/arrears.html", {"page": page, "days": min_days})


__all__ = ["GroupLoan", "LoanProduct", "SolidarityGroup", "replace"]
