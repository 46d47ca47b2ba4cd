"""Pages about savings. Thin: read the form, call one service, show the result or the
service's refusal on the form."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mupaka.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from mupaka.core.money import Money, is_known_currency
from mupaka.core.permissions import has_perm
from mupaka.core.selectors import business_date_get, institution_get
from mupaka.core.views_utils import form_add_error
from mupaka.core.views_utils import staff_page as core_staff_page
from mupaka.savings import selectors, services
from mupaka.savings.domain.term import early_break_penalty_minor, maturity_date
from mupaka.savings.forms import (
    HoldForm,
    LimitForm,
    MovementForm,
    NoteForm,
    OpenAccountForm,
    ProductForm,
    ReasonForm,
    ReversalDecisionForm,
    StatementForm,
    TermBreakForm,
    TermOpenForm,
    TransferForm,
)
from mupaka.savings.models import (
    PPM,
    AccountStatus,
    Channel,
    HoldReason,
    ProductKind,
    SavingsProduct,
)
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
            "can_open_term": has_perm(request.user, "savings.account.open")
            and bool(_channels(request.user, cash_perm="savings.deposit")),
            "can_review_reversals": has_perm(request.user, "savings.reverse"),
        },
    )


def _local_next(request) -> str:
    """`?next=`: the page to go back to after the form, only if it is on this site."""
    url = request.GET.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@dataclass
class _ProductChoice:
    """What `?currency=` makes of the product list: the products offered, the one
    pre-selected, the currency they were narrowed to, or a note saying why not."""

    products: QuerySet
    selected: SavingsProduct | None = None
    currency: str = ""
    note: str = ""


def _product_choice(asked: str) -> _ProductChoice:
    everything = selectors.products_to_open()
    code = asked.strip().upper()
    if not code:
        return _ProductChoice(everything)
    if not is_known_currency(code):
        return _ProductChoice(
            everything,
            note=_("“%(code)s” is not a currency code: every savings product is listed.")
            % {"code": asked.strip()[:12]},
        )
    in_currency = list(selectors.products_to_open(currency=code).order_by("code"))
    if not in_currency:
        return _ProductChoice(
            everything,
            note=_(
                "No savings product in %(currency)s is open to new accounts: every savings "
                "product is listed."
            )
            % {"currency": code},
        )
    voluntary = [p for p in in_currency if p.kind == ProductKind.VOLUNTARY]
    return _ProductChoice(
        selectors.products_to_open(currency=code),
        selected=voluntary[0] if len(voluntary) == 1 else None,
        currency=code,
    )


@staff_page("savings.account.open")
def account_open(request):
    """The account-opening form. From the counter: `?member=` fills her number in,
    `?currency=` narrows the products to that currency (its one voluntary product
    chosen), `?next=` (a page of this site) is where the teller goes back to."""
    from mupaka.members.selectors import member_get, member_get_by_number

    next_url = _local_next(request)
    choice = _product_choice(request.GET.get("currency", ""))
    initial = {}
    if request.GET.get("member"):
        try:
            initial["member_number"] = member_get(
                user=request.user, member_id=int(request.GET["member"])
            ).number
        except (ValueError, NotFound):
            pass
    if choice.selected is not None:
        initial["product"] = choice.selected.pk
    form = OpenAccountForm(request.POST or None, initial=initial, products=choice.products)
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
            if next_url:
                return HttpResponseRedirect(next_url)
            return redirect("savings:account_detail", pk=account.pk)
    all_products = request.GET.copy()
    all_products.pop("currency", None)
    return render(
        request,
        "savings/account_open.html",
        {
            "form": form,
            "choice": choice,
            "next_url": next_url,
            "all_products_url": f"{request.path}?{all_products.urlencode()}",
        },
    )


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
            "is_term": account.product.kind == ProductKind.TERM,
            "can_break": account.product.kind == ProductKind.TERM
            and account.status != AccountStatus.CLOSED
            and not account.matured
            and account.balance_minor > 0
            and bool(_channels(user, cash_perm="savings.withdraw")),
            "can_transfer": has_perm(user, "savings.transfer")
            and account.status == AccountStatus.ACTIVE
            and account.product.kind != ProductKind.TERM,
            "can_hold": has_perm(user, "savings.hold") and account.status != AccountStatus.CLOSED,
            "can_block": has_perm(user, "savings.hold")
            and account.status in (AccountStatus.ACTIVE, AccountStatus.DORMANT),
            "can_unblock": has_perm(user, "savings.hold")
            and account.status == AccountStatus.BLOCKED,
            "hold_form": HoldForm(),
            "can_reverse": has_perm(user, "savings.reverse"),
            "reversible_kinds": ("deposit", "withdrawal", "transfer"),
            "reversed": selectors.reversed_entries(t.entry_id for t in page),
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
    with translation.override("fr"):
        # the rows' operation labels are translated when the statement is read: in French
        # too, whatever language the reader's screens are in
        statement = selectors.account_statement(
            user=request.user, account=account, date_from=date_from, date_to=date_to
        )
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


# --- term deposits ------------------------------------------------------------------------------
def _channels(user, *, cash_perm: str) -> list[str]:
    """The ways this user may move the money: cash at her till, or between accounts."""
    out = []
    if has_perm(user, cash_perm):
        out.append(Channel.CASH)
    if has_perm(user, "savings.transfer"):
        out.append(Channel.TRANSFER)
    return out


def _own_account(user, member, number: str, form, field: str):
    """One of the member's accounts, typed by its number; a form error otherwise."""
    if not number:
        return None
    try:
        account = selectors.account_get_by_number(user=user, number=number, field=field)
    except USER_ERRORS as exc:
        form.add_error(field, exc.message)
        return None
    if member is not None and account.member_id != member.pk:
        form.add_error(field, _("This account is not hers."))
        return None
    return account


@staff_page("savings.account.open")
def term_open(request):
    """Open a term deposit with its principal: the product gives the term and the rate,
    the page shows the maturity date; paid in cash at the teller's till or moved from
    another of her accounts."""
    from mupaka.members.selectors import member_get, member_get_by_number

    user = request.user
    channels = _channels(user, cash_perm="savings.deposit")
    if not channels:
        raise PermissionDenied(
            _("Opening a term deposit moves money: a teller or a manager does it.")
        )
    products = selectors.term_products()
    initial = {"idempotency_key": str(uuid.uuid4())}
    if request.GET.get("member"):
        try:
            initial["member_number"] = member_get(
                user=user, member_id=int(request.GET["member"])
            ).number
        except (ValueError, NotFound):
            pass
    form = TermOpenForm(request.POST or None, initial=initial, products=products, channels=channels)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = None
        try:
            member = member_get_by_number(user=user, number=d["member_number"])
        except USER_ERRORS as exc:
            form.add_error("member_number", exc.message)
        source = _own_account(user, member, d.get("from_account"), form, "from_account")
        payout = _own_account(user, member, d.get("payout_account"), form, "payout_account")
        if member is not None and not form.errors:
            product = d["product"]
            try:
                result = services.term_deposit_open(
                    actor=user,
                    member=member,
                    product=product,
                    amount=Money(d["amount"], product.currency),
                    idempotency_key=d["idempotency_key"],
                    channel=d["channel"],
                    from_account=source,
                    payout_account=payout,
                )
            except USER_ERRORS as exc:
                if "member" in exc.errors:
                    exc.errors["member_number"] = exc.errors.pop("member")
                form_add_error(form, exc)
            except ValueError:
                form.add_error("amount", _("Give an amount with the currency's decimals at most."))
            else:
                messages.success(
                    request,
                    _("Term deposit %(number)s opened with %(amount)s.")
                    % {"number": result.account_number, "amount": money_text(result.amount)},
                )
                return redirect("savings:account_detail", pk=result.account_id)
    today = business_date_get()
    terms = [
        {
            "product": p,
            "matures": maturity_date(today, p.term_months) if p.term_months else None,
        }
        for p in products
    ]
    return render(
        request,
        "savings/term_open.html",
        {"form": form, "terms": terms, "today": today},
        status=400 if form.errors else 200,
    )


@staff_page("savings.view")
def term_break(request, pk: int):
    """Break a term deposit before maturity: the penalty and what she receives are shown
    before the teller (cash) or the manager (to another account) confirms."""
    user = request.user
    account = selectors.account_get(user=user, account_id=pk)
    channels = _channels(user, cash_perm="savings.withdraw")
    if not channels:
        raise PermissionDenied(
            _("Breaking a term deposit moves money: a teller or a manager does it.")
        )
    if account.product.kind != ProductKind.TERM or account.status == AccountStatus.CLOSED:
        raise Http404(_("This is not an open term deposit."))
    penalty = Money.from_minor(
        min(
            early_break_penalty_minor(
                account.balance_minor, Decimal(account.product.early_break_penalty_ppm) / PPM
            ),
            account.balance_minor,
        ),
        account.currency,
    )
    form = TermBreakForm(
        request.POST or None,
        initial={"idempotency_key": str(uuid.uuid4())},
        channels=channels,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        target = _own_account(user, account.member, d.get("to_account"), form, "to_account")
        if not form.errors:
            try:
                result = services.term_deposit_break(
                    actor=user,
                    account=account,
                    idempotency_key=d["idempotency_key"],
                    reason=d["reason"],
                    channel=d["channel"],
                    to_account=target,
                )
            except USER_ERRORS as exc:
                form_add_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Term deposit %(number)s broken: %(paid)s paid, penalty %(penalty)s.")
                    % {
                        "number": account.number,
                        "paid": money_text(result.amount),
                        "penalty": money_text(result.fee),
                    },
                )
                return redirect("savings:account_detail", pk=account.pk)
    return render(
        request,
        "savings/term_break.html",
        {
            "account": account,
            "form": form,
            "penalty": penalty,
            "paid": Money.from_minor(account.balance_minor, account.currency) - penalty,
        },
        status=400 if form.errors else 200,
    )


# --- holds, block and unblock (manager) ------------------------------------------------------
@require_POST
@staff_page("savings.hold")
def hold_place(request, pk: int):
    account = selectors.account_get(user=request.user, account_id=pk)
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("savings:account_detail", pk=account.pk)
    d = form.cleaned_data
    try:
        services.savings_hold_place(
            actor=request.user,
            account=account,
            amount=Money(d["amount"], account.currency),
            reference=d["reference"],
            note=d.get("note") or "",
            reason=d["reason"],
        )
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, _("Give an amount with the currency's decimals at most."))
    else:
        messages.success(
            request,
            _("%(amount)s of account %(number)s is blocked.")
            % {
                "amount": money_text(Money(d["amount"], account.currency)),
                "number": account.number,
            },
        )
    return redirect("savings:account_detail", pk=account.pk)


@require_POST
@staff_page("savings.hold")
def hold_release(request, hold_pk: int):
    hold = selectors.hold_get(user=request.user, hold_id=hold_pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for this change."))
        return redirect("savings:account_detail", pk=hold.account_id)
    release = (
        services.guarantee_release_by_manager
        if hold.reason == HoldReason.GUARANTEE
        else services.savings_hold_release
    )
    try:
        release(actor=request.user, hold=hold, note=form.cleaned_data["note"])
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Hold %(reference)s released.") % {"reference": hold.reference})
    return redirect("savings:account_detail", pk=hold.account_id)


@require_POST
@staff_page("savings.hold")
def block(request, pk: int):
    return _status_action(
        request, pk, services.savings_account_block, _("Account %(number)s blocked.")
    )


@require_POST
@staff_page("savings.hold")
def unblock(request, pk: int):
    return _status_action(
        request, pk, services.savings_account_unblock, _("Account %(number)s unblocked.")
    )


# --- transfers between accounts ----------------------------------------------------------------
@staff_page("savings.transfer")
def transfer(request, pk: int):
    account = selectors.account_get(user=request.user, account_id=pk)
    form = TransferForm(request.POST or None, initial={"idempotency_key": str(uuid.uuid4())})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        target = _own_account(request.user, None, d["to_account"], form, "to_account")
        if target is not None:
            try:
                result = services.savings_transfer(
                    actor=request.user,
                    from_account=account,
                    to_account=target,
                    amount=Money(d["amount"], account.currency),
                    idempotency_key=d["idempotency_key"],
                    memo=d.get("memo") or "",
                )
            except USER_ERRORS as exc:
                form_add_error(form, exc)
            except ValueError:
                form.add_error("amount", _("Give an amount with the currency's decimals at most."))
            else:
                messages.success(
                    request,
                    _("%(amount)s moved from %(from)s to %(to)s. Balance: %(balance)s.")
                    % {
                        "amount": money_text(result.out.amount),
                        "from": account.number,
                        "to": target.number,
                        "balance": money_text(result.out.balance),
                    },
                )
                return redirect("savings:account_detail", pk=account.pk)
    return render(
        request,
        "savings/transfer_form.html",
        {"account": account, "form": form},
        status=400 if form.errors else 200,
    )


# --- reversals: one person asks, another approves -----------------------------------------------
@staff_page("savings.reverse")
def reversal_request(request, txn_pk: int):
    txn = selectors.transaction_get(user=request.user, transaction_id=txn_pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.savings_reversal_request(
                actor=request.user, transaction_id=txn.pk, reason=form.cleaned_data["reason"]
            )
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(
                request, _("Reversal asked: a second person approves it before anything moves.")
            )
            return redirect("savings:reversal_list")
    return render(
        request,
        "savings/reversal_request.html",
        {"txn": txn, "account": txn.account, "form": form},
        status=400 if form.errors else 200,
    )


@staff_page("savings.view")
def reversal_list(request):
    user = request.user
    if not (has_perm(user, "savings.reverse") or has_perm(user, "savings.reverse.approve")):
        raise PermissionDenied(_("Your role does not deal with reversals."))
    page = Paginator(selectors.reversal_requests(user=user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "savings/reversal_list.html",
        {
            "page": page,
            "can_decide": has_perm(user, "savings.reverse.approve"),
            "new_key": lambda: str(uuid.uuid4()),  # one key per rendered form
        },
    )


@require_POST
@staff_page("savings.reverse.approve")
def reversal_approve(request, pk: int):
    reversal = selectors.reversal_request_get(user=request.user, request_id=pk)
    form = ReversalDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form has expired: open the page again."))
        return redirect("savings:reversal_list")
    try:
        done = services.savings_reversal_approve(
            actor=request.user,
            request=reversal,
            idempotency_key=form.cleaned_data["idempotency_key"],
            note=form.cleaned_data.get("note") or "",
        )
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Reversed: entry %(entry)s cancels the operation.") % {"entry": done.reversal_entry},
        )
    return redirect("savings:reversal_list")


@require_POST
@staff_page("savings.reverse.approve")
def reversal_reject(request, pk: int):
    reversal = selectors.reversal_request_get(user=request.user, request_id=pk)
    try:
        services.savings_reversal_reject(
            actor=request.user, request=reversal, note=request.POST.get("note", "")
        )
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Reversal rejected: nothing moved."))
    return redirect("savings:reversal_list")
