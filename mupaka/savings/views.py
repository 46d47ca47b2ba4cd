"""Pages about savings. Thin: read the form, call one service, show the result or the
service's refusal on the form."""

from __future__ import annotations

import datetime as dt
import uuid
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mupaka.core.exceptions import Conflict, NotFound, ValidationFailed
from mupaka.core.money import Money
from mupaka.core.permissions import has_perm
from mupaka.core.selectors import business_date_get, institution_get
from mupaka.core.views_utils import form_add_error
from mupaka.core.views_utils import staff_page as core_staff_page
from mupaka.savings import selectors, services
from mupaka.savings.forms import (
    LimitForm,
    MovementForm,
    OpenAccountForm,
    ProductForm,
    ReasonForm,
    StatementForm,
)
from mupaka.savings.models import AccountStatus, ProductKind, SavingsProduct
from mupaka.savings.services.messages import money_text

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


# --- products -----------------------------------------------------------------------------------
@staff_page("savings.product.manage")
def product_list(request):
    return render(
        request,
        "savings/product_list.html",
        {"products": selectors.product_list().order_by("kind", "currency", "code")},
    )


@staff_page("savings.product.manage")
def product_create(request):
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.savings_product_create(
                actor=request.user, data=services.ProductData(**form.service_values())
            )
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Product %(code)s created.") % {"code": product.code})
            return redirect("savings:product_list")
    return render(request, "savings/product_form.html", {"form": form, "creating": True})


@staff_page("savings.product.manage")
def product_edit(request, pk: int):
    product = selectors.product_get(user=request.user, product_id=pk)
    initial = services.product_data(product).__dict__
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.savings_product_update(
                actor=request.user,
                product=product,
                data=services.ProductData(**form.service_values()),
            )
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Product %(code)s saved.") % {"code": product.code})
            return redirect("savings:product_list")
    return render(request, "savings/product_form.html", {"form": form, "product": product})


@staff_page("savings.limits.manage")
def limits(request):
    form = LimitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.kyc_limit_set(
                actor=request.user,
                tier=d["tier"],
                currency=d["currency"],
                max_balance=d["max_balance"],
                max_withdrawal_per_day=d["max_withdrawal_per_day"],
            )
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Limits saved."))
            return redirect("savings:limits")
    return render(request, "savings/limits.html", {"form": form, "limits": selectors.kyc_limits()})


# --- accounts -------------------------------------------------------------------------------------
@staff_page("savings.view")
def account_list(request):
    q = request.GET.get("q", "")
    status = request.GET.get("status", "")
    if status not in AccountStatus.values:
        status = ""
    accounts = selectors.account_list(user=request.user, query=q, status=status)
    page = Paginator(accounts, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "savings/account_list.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "statuses": AccountStatus.choices,
            "can_open": has_perm(request.user, "savings.account.open"),
        },
    )


@staff_page("savings.account.open")
def account_open(request):
    from mupaka.members.selectors import member_get, member_get_by_number

    initial = {}
    if request.GET.get("member"):
        try:
            initial["member_number"] = member_get(
                user=request.user, member_id=int(request.GET["member"])
            ).number
        except (ValueError, NotFound):
            pass
    form = OpenAccountForm(request.POST or None, initial=initial)
    form.fields["product"].queryset = SavingsProduct.objects.filter(is_active=True).exclude(
        kind=ProductKind.TERM
    )
    if request.method == "POST" and form.is_valid():
        try:
            member = member_get_by_number(
                user=request.user, number=form.cleaned_data["member_number"]
            )
            account = services.savings_account_open(
                actor=request.user, member=member, product=form.cleaned_data["product"]
            )
        except USER_ERRORS as exc:
            if "member" in exc.errors:
                exc.errors["member_number"] = exc.errors.pop("member")
            form_add_error(form, exc)
        else:
            messages.success(
                request,
                _("Account %(number)s opened for %(name)s.")
                % {"number": account.number, "name": member.full_name},
            )
            return redirect("savings:account_detail", pk=account.pk)
    return render(request, "savings/account_open.html", {"form": form})


def _statement_dates(request, account):
    today = business_date_get()
    form = StatementForm(
        request.GET or None,
        initial={
            "date_from": max(account.opened_date, today - dt.timedelta(days=90)),
            "date_to": today,
        },
    )
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    return form, form.initial["date_from"], form.initial["date_to"]


@staff_page("savings.view")
def account_detail(request, pk: int):
    account = selectors.account_get(user=request.user, account_id=pk)
    page = Paginator(selectors.account_transactions(account), 25).get_page(request.GET.get("page"))
    user = request.user
    form, date_from, date_to = _statement_dates(request, account)
    return render(
        request,
        "savings/account_detail.html",
        {
            "account": account,
            "page": page,
            "holds": selectors.account_holds(account),
            "statement_form": form,
            "date_from": date_from,
            "date_to": date_to,
            "can_deposit": has_perm(user, "savings.deposit")
            and account.status == AccountStatus.ACTIVE,
            "can_withdraw": has_perm(user, "savings.withdraw")
            and account.status == AccountStatus.ACTIVE,
            "can_reactivate": has_perm(user, "savings.reactivate")
            and account.status == AccountStatus.DORMANT,
            "can_close": has_perm(user, "savings.account.close")
            and account.status != AccountStatus.CLOSED
            and account.balance_minor == 0
            and account.blocked_minor == 0,
            "reason_form": ReasonForm(),
        },
    )


@staff_page("savings.view")
def account_statement(request, pk: int):
    account = selectors.account_get(user=request.user, account_id=pk)
    form, date_from, date_to = _statement_dates(request, account)
    statement = None
    try:
        statement = selectors.account_statement(
            user=request.user, account=account, date_from=date_from, date_to=date_to
        )
    except ValidationFailed as exc:
        form_add_error(form, exc)
    return render(
        request,
        "savings/statement.html",
        {"account": account, "statement": statement, "statement_form": form},
    )


@staff_page("savings.view")
def account_statement_pdf(request, pk: int):
    """The passbook-style statement in French (weasyprint)."""
    from weasyprint import HTML

    account = selectors.account_get(user=request.user, account_id=pk)
    _form, date_from, date_to = _statement_dates(request, account)
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    statement = selectors.account_statement(
        user=request.user, account=account, date_from=date_from, date_to=date_to
    )
    with translation.override("fr"):
        html = render_to_string(
            "savings/statement_pdf.html",
            {
                "account": account,
                "statement": statement,
                "institution": institution_get(),
                "printed_by": request.user,
                "business_date": business_date_get(),
            },
        )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="releve-{account.number}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.pdf"'
    )
    return response


def _movement(request, pk: int, *, kind: str):
    account = selectors.account_get(user=request.user, account_id=pk)
    form = MovementForm(request.POST or None, initial={"idempotency_key": str(uuid.uuid4())})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        call = services.savings_deposit if kind == "deposit" else services.savings_withdraw
        try:
            result = call(
                actor=request.user,
                account=account,
                amount=Money(d["amount"], account.currency),
                idempotency_key=d["idempotency_key"],
                memo=d.get("memo") or "",
            )
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        except ValueError:
            form.add_error("amount", _("Give an amount with the currency's decimals at most."))
        else:
            text = (
                _("Deposit of %(amount)s recorded.")
                if kind == "deposit"
                else _("Withdrawal of %(amount)s paid.")
            )
            messages.success(
                request,
                f"{text % {'amount': money_text(result.amount)}} "
                + _("Balance: %(balance)s.") % {"balance": money_text(result.balance)},
            )
            return redirect("savings:account_detail", pk=account.pk)
    return render(
        request,
        "savings/movement_form.html",
        {"account": account, "form": form, "kind": kind},
    )


@staff_page("savings.deposit")
def deposit(request, pk: int):
    return _movement(request, pk, kind="deposit")


@staff_page("savings.withdraw")
def withdraw(request, pk: int):
    return _movement(request, pk, kind="withdraw")


def _status_action(request, pk: int, call, done: str):
    account = selectors.account_get(user=request.user, account_id=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for this change."))
        return redirect("savings:account_detail", pk=account.pk)
    try:
        call(actor=request.user, account=account, reason=form.cleaned_data["reason"])
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done % {"number": account.number})
    return redirect("savings:account_detail", pk=account.pk)


@require_POST
@staff_page("savings.reactivate")
def reactivate(request, pk: int):
    return _status_action(
        request, pk, services.savings_account_reactivate, _("Account %(number)s reactivated.")
    )


@require_POST
@staff_page("savings.account.close")
def close(request, pk: int):
    return _status_action(
        request, pk, services.savings_account_close, _("Account %(number)s closed.")
    )
