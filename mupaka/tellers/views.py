"""Pages of the counter, the tills, the vault and the exchange desk.

Thin: read the form, call one service (money-moving calls inside ``idempotent`` with the
form's key, so a double press moves money once), show the result or the refusal.
The teller screen is built for a slow connection: the search results and the member
panel are small htmx partials; nothing else reloads.
"""

from __future__ import annotations

from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mupaka.core.exceptions import Conflict, MupakaError, NotFound, ValidationFailed
from mupaka.core.idempotency import idempotent
from mupaka.core.money import Money
from mupaka.core.permissions import has_perm, require_perm
from mupaka.core.selectors import business_date_get, institution_get
from mupaka.core.views_utils import form_add_error
from mupaka.core.views_utils import staff_page as core_staff_page
from mupaka.tellers import counter as counter_data
from mupaka.tellers import forms as f
from mupaka.tellers import selectors, services
from mupaka.tellers.cash import till_shut_message
from mupaka.tellers.domain.words import amount_in_words_fr
from mupaka.tellers.models import (
    CashTransfer,
    TillStatus,
    TransferDirection,
    TransferStatus,
)
from mupaka.tellers.services.tills import current_count

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


def _payload(form) -> dict:
    return {k: str(v) for k, v in form.cleaned_data.items() if k != "idempotency_key"}


def _once(request, form, scope: str, run):
    """Run a money-moving service once per rendered form."""
    key = form.cleaned_data["idempotency_key"]
    return idempotent(key=key, scope=scope, actor=request.user, payload=_payload(form), run=run)


def _money_rows(amounts: dict[str, int]) -> list[Money]:
    return [Money.from_minor(int(v), c) for c, v in sorted(amounts.items())]


def _accepted() -> list[str]:
    return list(institution_get().accepted_currencies or [])


# --- the counter (teller) ---------------------------------------------------------------
def _till_state(till) -> dict:
    """Whether the teller may take in or pay out cash (her till open), and why not."""
    can_operate = till is not None and till.status == TillStatus.OPEN
    return {
        "can_operate": can_operate,
        "till_shut": "" if can_operate else till_shut_message(till.status if till else None),
    }


def _till_live(till) -> dict:
    """What an operation changes on the counter page: the till's cash, the last receipts."""
    if till is None:
        return {"balances": [], "recent": []}
    return {
        "balances": _money_rows(selectors.till_balances(till)),
        "recent": list(till.receipts.order_by("-id")[:8]),
    }


def _with_till_refresh(request, html: str, till=None) -> HttpResponse:
    """The answer to an operation done through htmx, with the till's balances and last
    receipts of the counter page swapped out of band (the page is not reloaded)."""
    till = till or selectors.till_open_for(user=request.user)
    if till is not None:
        # no request: the fragments need no context processor (no extra query)
        html += render_to_string("tellers/_till_oob.html", _till_live(till))
    return HttpResponse(html)


def _counter_context(request, **extra) -> dict:
    till = selectors.till_open_for(user=request.user)
    ctx = {"till": till, "incoming": [], "q": request.GET.get("q", "")}
    ctx.update(_till_live(till))
    ctx.update(_till_state(till))
    if till is not None:
        ctx["incoming"] = list(till.transfers.filter(status=TransferStatus.PENDING).order_by("id"))
        currencies = till.currencies
    else:
        currencies = _accepted()
    ctx.setdefault("exchange_form", f.ExchangeForm(currencies=currencies, prefix="x"))
    ctx["rates"] = selectors.rates_of_day(business_date_get())
    ctx.update(extra)
    return ctx


@staff_page("till.operate")
def counter(request):
    return render(request, "tellers/counter.html", _counter_context(request))


@staff_page("till.operate")
def counter_search(request):
    from mupaka.members.selectors import member_search

    q = request.GET.get("q", "").strip()
    members = list(member_search(user=request.user, query=q)[:15]) if len(q) >= 2 else []
    return render(request, "tellers/_search_results.html", {"members": members, "q": q})


def _member_context(request, member_id: int, **extra) -> dict:
    from mupaka.members.selectors import member_get

    member = member_get(user=request.user, member_id=member_id)
    till = selectors.till_open_for(user=request.user)
    accounts = counter_data.member_accounts(user=request.user, member=member)
    ctx = {
        "member": member,
        "till": till,
        **_till_state(till),
        "accounts": accounts,
        "to_open": counter_data.savings_to_open(
            user=request.user, member=member, accounts=accounts
        ),
        "loans_due": counter_data.member_loans_due(
            user=request.user,
            member=member,
            on_date=till.business_date if till is not None else business_date_get(),
        ),
        "shares": counter_data.member_shares(user=request.user, member=member),
        "to_disburse": counter_data.member_disbursements(user=request.user, member=member),
        "exchange_form": f.ExchangeForm(
            currencies=till.currencies if till else _accepted(),
            prefix="x",
            initial={"member_id": member.pk},
        ),
        "new_key": f.new_key,
    }
    ctx.update(extra)
    return ctx


@staff_page("till.operate")
def counter_member(request, member_id: int):
    """Her panel (htmx), or the counter page with her panel already open (a link or a
    redirect, e.g. back from opening a savings account for her)."""
    ctx = _member_context(request, member_id)
    if request.htmx:
        return render(request, "tellers/_member_panel.html", ctx)
    panel = render_to_string("tellers/_member_panel.html", ctx, request=request)
    return render(request, "tellers/counter.html", _counter_context(request, member_panel=panel))


_OPERATIONS = {
    "deposit": ("savings.deposit", counter_data.counter_deposit, "account_id"),
    "withdraw": ("savings.withdraw", counter_data.counter_withdraw, "account_id"),
    "repay": ("loan.repay", counter_data.counter_repay, "loan_id"),
    "shares": ("shares.buy", counter_data.counter_shares, "member_id"),
    "disburse": ("loan.disburse", counter_data.counter_disburse, "loan_id"),
    "group_disburse": ("loan.disburse", counter_data.counter_group_disburse, "group_loan_id"),
}


@staff_page("till.operate")
@require_POST
def counter_operate(request, member_id: int):
    """A deposit, a withdrawal, a repayment, the entry fee and shares or a disbursement
    from the member panel; the panel comes back with the new balances and the receipt to
    print. The whole (service + receipt) runs once per form key: a replay (double press,
    retried request) shows the FIRST receipt again and moves nothing."""
    form = f.CashOperationForm(request.POST)
    done = error = None
    error_target = ""
    if form.is_valid():
        d = form.cleaned_data
        perm, operation, target_name = _OPERATIONS[d["op"]]
        try:
            require_perm(request.user, perm)
            if d["op"] == "shares":  # the amount field carries the number of shares
                if d["amount"] != d["amount"].to_integral_value() or d["target"] != member_id:
                    raise ValidationFailed(_("Give a whole number of shares."), field="amount")
                what = {"shares": int(d["amount"])}
            elif d["op"] in f.CashOperationForm.WITHOUT_AMOUNT:
                what = {}
            else:
                what = {"amount": Money.of(d["amount"], d["currency"])}
            key = d["idempotency_key"]
            result = idempotent(
                key=f"{key}:counter",
                scope=f"tellers.counter.{d['op']}",
                actor=request.user,
                payload=_payload(form),
                run=lambda: {
                    "receipt": operation(
                        actor=request.user, key=key, **what, **{target_name: d["target"]}
                    )
                },
            )
            done = selectors.receipt_get(user=request.user, receipt_id=result.response["receipt"])
        except MupakaError as exc:
            error, error_target = exc.message, f"{d['op']}-{d['target']}"
    else:
        error = " ".join(str(e) for errs in form.errors.values() for e in errs)
        error_target = f"{request.POST.get('op')}-{request.POST.get('target')}"
    ctx = _member_context(request, member_id, done=done, error=error, error_target=error_target)
    if not request.htmx:
        if done is not None:
            return redirect("tellers:receipt_print", done.pk)
        return render(request, "tellers/member_page.html", ctx, status=400)
    panel = render_to_string("tellers/_member_panel.html", ctx, request=request)
    if done is None:
        return HttpResponse(panel)
    return _with_till_refresh(request, panel, till=ctx["till"])


@staff_page("exchange.do")
@require_POST
def exchange(request):
    till = selectors.till_open_for(user=request.user)
    form = f.ExchangeForm(
        request.POST, currencies=till.currencies if till else _accepted(), prefix="x"
    )
    if form.is_valid():
        d = form.cleaned_data
        try:
            offered = Money.of(d["amount"], d["currency"])
            result = _once(
                request,
                form,
                "tellers.exchange",
                lambda: {
                    "receipt": services.exchange_do(
                        actor=request.user,
                        offered=offered,
                        currency_out=d["currency_out"],
                        member_id=d.get("member_id"),
                        customer_name=d.get("customer_name") or "",
                        journal_key=f"{d['idempotency_key']}:journal",
                    ).receipt.pk
                },
            )
            return _done(request, result.response["receipt"])
        except MupakaError as exc:
            form_add_error(form, exc)
    # htmx swaps only successful answers: a refusal is shown on the form with 200
    status = 200 if request.htmx else 400
    state = _till_state(till)
    if not state["can_operate"]:  # counted or closed meanwhile: no form to try again
        return render(request, "tellers/_till_shut.html", state, status=status)
    return render(request, "tellers/_exchange_form.html", {"exchange_form": form}, status=status)


def _exchange_summary(receipt) -> dict | None:
    """What the teller tells the customer: handed over, change, rate, paid out, the rest."""
    exchange = selectors.exchange_for_receipt(receipt)
    if exchange is None:
        return None
    e, cur_in, cur_out = exchange, exchange.currency_in, exchange.currency_out
    return {
        "offered": Money.from_minor(e.offered_minor, cur_in),
        "change": Money.from_minor(e.change_minor, cur_in),
        "pair": f"{e.rate.base}/{e.rate.quote}",
        "rate": selectors.rate_from_e8(e.applied_rate_e8),
        "we_buy": e.side == "buy",
        "paid": Money.from_minor(e.amount_out_minor, cur_out),
        "kept": Money.from_minor(e.unpaid_minor, cur_out),
    }


def _done(request, receipt_id: int):
    receipt = selectors.receipt_get(user=request.user, receipt_id=receipt_id)
    if request.htmx:
        html = render_to_string(
            "tellers/_done.html",
            {"receipt": receipt, "exchange": _exchange_summary(receipt)},
            request=request,
        )
        return _with_till_refresh(request, html)
    messages.success(request, _("Done. Receipt %(number)s.") % {"number": receipt.number})
    return redirect("tellers:receipt_print", receipt.pk)


@staff_page("exchange.do")
def exchange_preview(request):
    """What the customer would get, shown as she types (no write)."""
    till = selectors.till_open_for(user=request.user)
    form = f.ExchangeForm(
        request.GET, currencies=till.currencies if till else _accepted(), prefix="x"
    )
    form.fields["idempotency_key"].required = False
    preview, error = None, ""
    if form.is_valid() and form.cleaned_data["amount"]:
        d = form.cleaned_data
        try:
            preview = services.exchange_preview(
                actor=request.user,
                offered=Money.of(d["amount"], d["currency"]),
                currency_out=d["currency_out"],
            )
        except MupakaError as exc:
            error = exc.message
    return render(request, "tellers/_exchange_preview.html", {"preview": preview, "error": error})


@staff_page("till.view_own")
@require_POST
def transfer_confirm(request, pk: int):
    transfer = _transfer(request, pk)
    form = f.ReasonForm(request.POST)
    if form.is_valid():
        try:
            _once(
                request,
                form,
                "tellers.transfer_confirm",
                lambda: {
                    "id": services.cash_transfer_confirm(
                        actor=request.user,
                        transfer=transfer,
                        journal_key=f"{form.cleaned_data['idempotency_key']}:journal",
                    ).pk
                },
            )
            messages.success(request, _("Cash received: the transfer is confirmed."))
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
    return redirect(request.POST.get("next") or "tellers:counter")


@staff_page("till.view_own")
@require_POST
def transfer_cancel(request, pk: int):
    transfer = _transfer(request, pk)
    try:
        services.cash_transfer_cancel(
            actor=request.user, transfer=transfer, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Transfer cancelled: nothing moved."))
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
    return redirect(request.POST.get("next") or "tellers:counter")


def _transfer(request, pk: int) -> CashTransfer:
    transfer = CashTransfer.objects.select_related("till").filter(pk=pk).first()
    if transfer is None:
        raise Http404(_("No transfer with this id."))
    selectors.till_get(user=request.user, till_id=transfer.till_id)
    return transfer


@staff_page("till.view_own")
def transfer_send(request, till_id: int):
    """Cash to the vault (the teller) or to a till (the manager): a pending transfer."""
    till = selectors.till_get(user=request.user, till_id=till_id)
    direction = (
        TransferDirection.TO_VAULT
        if till.teller_id == request.user.pk
        else TransferDirection.TO_TILL
    )
    currencies = till.currencies if direction == TransferDirection.TO_VAULT else _accepted()
    form = f.TransferForm(request.POST or None, currencies=currencies)
    if request.method == "POST" and form.is_valid():
        amounts = [
            Money.of(form.cleaned_data[f"amount_{c}"], c)
            for c in currencies
            if form.cleaned_data.get(f"amount_{c}")
        ]
        try:
            services.cash_transfer_create(
                actor=request.user,
                till=till,
                direction=direction,
                amounts=amounts,
                note=form.cleaned_data.get("note", ""),
            )
            messages.success(request, _("Sent. Nothing moves until the receiver confirms."))
            return redirect(
                "tellers:counter"
                if direction == TransferDirection.TO_VAULT
                else "tellers:till_detail",
                *([] if direction == TransferDirection.TO_VAULT else [till.pk]),
            )
        except USER_ERRORS as exc:
            form_add_error(form, exc)
    return render(
        request, "tellers/transfer_form.html", {"form": form, "till": till, "direction": direction}
    )


@staff_page("till.operate")
def till_count(request):
    """The teller counts her cash by denomination (those in use) and hands it to the vault."""
    till = selectors.till_open_for(user=request.user)
    if till is None:
        raise Http404(_("You have no till today."))
    tables = {cur: selectors.denominations(cur) for cur in till.currencies}
    errors: list[str] = []
    entered: dict[str, str] = {}
    if request.method == "POST":
        counts: dict[str, dict[str, object]] = {}
        for cur, denoms in tables.items():
            counts[cur] = {}
            for d in denoms:
                name = f"n_{cur}_{d.value_minor}"
                raw = request.POST.get(name, "").strip()
                entered[name] = raw
                if raw == "":
                    continue
                try:
                    counts[cur][str(d.value_minor)] = int(raw)
                except ValueError:
                    counts[cur][str(d.value_minor)] = raw
        try:
            services.till_close(actor=request.user, till=till, counts=counts)
            messages.success(
                request, _("Count recorded. The manager confirms the cash received in the vault.")
            )
            return redirect("tellers:counter")
        except MupakaError as exc:
            errors = exc.errors.get("counts") or [exc.message]
    rows = [
        {
            "currency": cur,
            "denoms": [
                {
                    "d": d,
                    "name": f"n_{cur}_{d.value_minor}",
                    "face": Money.from_minor(d.value_minor, cur),
                    "value": entered.get(f"n_{cur}_{d.value_minor}", ""),
                }
                for d in denoms
            ],
        }
        for cur, denoms in tables.items()
    ]
    return render(
        request, "tellers/till_count.html", {"till": till, "rows": rows, "errors": errors}
    )


# --- receipts ----------------------------------------------------------------------------
def _receipt_context(request, receipt_id: int) -> dict:
    receipt = selectors.receipt_get(user=request.user, receipt_id=receipt_id)
    lines = [
        {
            "label": ln["label"],
            "money": Money.from_minor(ln["amount_minor"], ln["currency"]),
            "words": amount_in_words_fr(Money.from_minor(ln["amount_minor"], ln["currency"])),
        }
        for ln in receipt.lines
    ]
    balances = [
        {"label": b["label"], "money": Money.from_minor(b["amount_minor"], b["currency"])}
        for b in receipt.balances
    ]
    member = None
    if receipt.member_id:
        from mupaka.members.models import Member

        member = Member.objects.filter(pk=receipt.member_id).first()
    return {
        "receipt": receipt,
        "lines": lines,
        "balances": balances,
        "member": member,
        "institution": institution_get(),
    }


@staff_page("till.view_own")
def receipt_print(request, pk: int):
    """The receipt in French (the member's paper); the toolbar above it, not printed, in
    the teller's language."""
    ctx = {**_receipt_context(request, pk), "for_print": True}
    ctx["ui_language"] = translation.get_language()
    with services.receipt_language():
        return render(request, "tellers/receipt.html", ctx)


def _pdf(html: str, request, filename: str) -> HttpResponse:
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@staff_page("till.view_own")
def receipt_pdf(request, pk: int):
    ctx = _receipt_context(request, pk)
    height = 110 + 9 * (len(ctx["lines"]) + len(ctx["balances"]) + len(ctx["receipt"].notes))
    with services.receipt_language():  # the member's paper: in French
        html = render_to_string(
            "tellers/receipt.html", {**ctx, "for_pdf": True, "page_height": height}, request=request
        )
    return _pdf(html, request, f"recu-{ctx['receipt'].number}.pdf")


# --- tills and the vault (manager) ---------------------------------------------------------
@staff_page("till.view")
def till_list(request):
    user = request.user
    bdate = business_date_get()
    tills = list(selectors.till_list(user=user, business_date=request.GET.get("date") or bdate))
    for t in tills:
        t.balance_rows = _money_rows(selectors.till_balances(t))
    vaults = list(selectors.vault_list(user=user))
    for v in vaults:
        v.balance_rows = _money_rows(selectors.vault_balances(v))
    open_form = fund_form = None
    if has_perm(user, "till.open"):
        open_form = f.TillOpenForm(branch_id=user.branch_id, currencies=_accepted(), prefix="o")
    if has_perm(user, "vault.fund"):
        fund_form = f.VaultFundForm(currencies=_accepted(), prefix="v")
    pending = selectors.transfer_list(user=user, pending_only=True)
    return render(
        request,
        "tellers/till_list.html",
        {
            "tills": tills,
            "vaults": vaults,
            "open_form": open_form,
            "fund_form": fund_form,
            "pending": pending,
            "bdate": bdate,
        },
    )


@staff_page("till.open")
@require_POST
def till_open(request):
    form = f.TillOpenForm(
        request.POST, branch_id=request.user.branch_id, currencies=_accepted(), prefix="o"
    )
    if form.is_valid():
        d = form.cleaned_data
        floats = [Money.of(d[f"float_{c}"], c) for c in form.currencies if d.get(f"float_{c}")]
        held = [c for c in form.currencies if d.get(f"hold_{c}")]
        try:
            result = _once(
                request,
                form,
                "tellers.till_open",
                lambda: {
                    "id": services.till_open(
                        actor=request.user, teller=d["teller"], floats=floats, currencies=held
                    ).pk
                },
            )
            messages.success(request, _("Till opened. The teller confirms the float on receipt."))
            return redirect("tellers:till_detail", result.response["id"])
        except MupakaError as exc:
            form_add_error(form, exc)
    for err in form.errors.get("__all__", []) + [
        e for k, v in form.errors.items() if k != "__all__" for e in v
    ]:
        messages.error(request, err)
    return redirect("tellers:till_list")


@staff_page("vault.fund")
@require_POST
def vault_fund(request):
    form = f.VaultFundForm(request.POST, currencies=_accepted(), prefix="v")
    if form.is_valid() and request.user.branch_id:
        d = form.cleaned_data
        try:
            _once(
                request,
                form,
                "tellers.vault_fund",
                lambda: {
                    "id": services.vault_fund(
                        actor=request.user,
                        branch=request.user.branch,
                        amount=Money.of(d["amount"], d["currency"]),
                        source=d["source"],
                        direction=d["direction"],
                        reason=d.get("reason", ""),
                        journal_key=f"{d['idempotency_key']}:journal",
                    ).pk
                },
            )
            messages.success(request, _("The vault's cash is recorded."))
        except MupakaError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Check the amount and the currency."))
    return redirect("tellers:till_list")


def _till_context(request, till) -> dict:
    count = current_count(till)
    diffs = []
    if count is not None:
        for cur in sorted(set(count.expected) | set(count.counted)):
            diffs.append(
                {
                    "currency": cur,
                    "expected": Money.from_minor(int(count.expected.get(cur, 0)), cur),
                    "counted": Money.from_minor(int(count.counted.get(cur, 0)), cur),
                    "difference": Money.from_minor(count.differences.get(cur, 0), cur),
                }
            )
    pieces = []
    if count is not None:
        for cur, lines in sorted(count.counts.items()):
            for value, n in sorted(lines.items(), key=lambda kv: -int(kv[0])):
                face = Money.from_minor(int(value), cur)
                pieces.append({"currency": cur, "face": face, "pieces": n, "total": face * int(n)})
    return {
        "till": till,
        "balances": _money_rows(selectors.till_balances(till)),
        "transfers": till.transfers.select_related("initiated_by", "decided_by").order_by("id"),
        "count": count,
        "diffs": diffs,
        "pieces": pieces,
        "operations": selectors.till_operations(till),
        "exchanges": selectors.exchange_list(user=request.user, till=till),
        "institution": institution_get(),
    }


@staff_page("till.view_own")
def till_detail(request, pk: int):
    till = selectors.till_get(user=request.user, till_id=pk)
    ctx = _till_context(request, till)
    ctx["confirm_form"] = f.ReasonForm()
    ctx["can_approve"] = (
        has_perm(request.user, "till.approve") and till.teller_id != request.user.pk
    )
    ctx["can_send"] = has_perm(request.user, "vault.manage")
    return render(request, "tellers/till_detail.html", ctx)


@staff_page("till.approve")
@require_POST
def till_close_confirm(request, pk: int):
    till = selectors.till_get(user=request.user, till_id=pk)
    form = f.ReasonForm(request.POST)
    if form.is_valid():
        try:
            _once(
                request,
                form,
                "tellers.till_close_confirm",
                lambda: {
                    "id": services.till_close_confirm(
                        actor=request.user,
                        till=till,
                        reason=form.cleaned_data.get("reason", ""),
                        journal_key=f"{form.cleaned_data['idempotency_key']}:journal",
                    ).pk
                },
            )
            messages.success(request, _("Till closed; its cash is in the vault."))
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
    return redirect("tellers:till_detail", pk)


@staff_page("till.approve")
@require_POST
def till_recount(request, pk: int):
    till = selectors.till_get(user=request.user, till_id=pk)
    try:
        services.till_recount(actor=request.user, till=till, reason=request.POST.get("reason", ""))
        messages.success(request, _("The till is back with its teller for a new count."))
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
    return redirect("tellers:till_detail", pk)


@staff_page("till.view_own")
def till_sheet_pdf(request, pk: int):
    till = selectors.till_get(user=request.user, till_id=pk)
    html = render_to_string(
        "tellers/pdf_closing_sheet.html", _till_context(request, till), request=request
    )
    return _pdf(html, request, f"arrete-caisse-{till.pk}.pdf")


@staff_page("till.view_own")
def till_journal_pdf(request, pk: int):
    till = selectors.till_get(user=request.user, till_id=pk)
    html = render_to_string(
        "tellers/pdf_journal.html", _till_context(request, till), request=request
    )
    return _pdf(html, request, f"journal-caisse-{till.pk}.pdf")


# --- rates and positions ----------------------------------------------------------------
@staff_page("rate.view")
def rate_list(request):
    user = request.user
    form = f.RateForm(request.POST or None) if has_perm(user, "rate.set") else None
    if request.method == "POST":
        require_perm(user, "rate.set")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.rate_set(
                    actor=user,
                    base=d["base"],
                    quote=d["quote"],
                    buy=d["buy"],
                    sell=d["sell"],
                    reference=d.get("reference"),
                    reference_source=d.get("reference_source", ""),
                )
                messages.success(
                    request, _("Rate recorded. New exchanges use it; past ones keep theirs.")
                )
                return redirect("tellers:rate_list")
            except MupakaError as exc:
                form_add_error(form, exc)
    positions = None
    if has_perm(user, "exchange.position"):
        positions = [
            {"money": Money.from_minor(-v, c), "long": v < 0}
            for c, v in selectors.exchange_positions(user=user).items()
        ]
    history = list(selectors.rate_history(limit=60))
    return render(
        request,
        "tellers/rate_list.html",
        {
            "rates": selectors.rates_of_day(business_date_get()),
            "history": history,
            "form": form,
            "positions": positions,
        },
        status=400 if form is not None and form.errors else 200,
    )


# --- notes and coins counted at closing ---------------------------------------------------
@staff_page("denomination.manage")
def denomination_list(request):
    """The denomination tables: add a note or coin, withdraw one, put one back in use."""
    form = f.DenominationForm(request.POST or None, currencies=_accepted())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            added = services.denomination_add(
                actor=request.user,
                currency=d["currency"],
                face_value=d["face_value"],
                kind=d["kind"],
                note=d.get("note") or "",
            )
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(
                request,
                _("%(face)s added: tills count it from now on.")
                % {
                    "face": selectors.money_text(
                        Money.from_minor(added.value_minor, added.currency)
                    )
                },
            )
            return redirect("tellers:denomination_list")
    table = [
        {
            "currency": cur,
            "rows": [{"d": d, "face": Money.from_minor(d.value_minor, cur)} for d in denoms],
        }
        for cur, denoms in selectors.denomination_table(user=request.user).items()
    ]
    return render(
        request,
        "tellers/denomination_list.html",
        {"form": form, "table": table, "status_form": f.DenominationStatusForm()},
        status=400 if form.errors else 200,
    )


@staff_page("denomination.manage")
@require_POST
def denomination_status(request, pk: int):
    denomination = selectors.denomination_get(user=request.user, denomination_id=pk)
    form = f.DenominationStatusForm(request.POST)
    active = request.POST.get("active") == "1"
    if not form.is_valid():
        messages.error(request, _("Give the reason for this change."))
        return redirect("tellers:denomination_list")
    try:
        services.denomination_set_active(
            actor=request.user,
            denomination=denomination,
            active=active,
            reason=form.cleaned_data["reason"],
        )
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        face = selectors.money_text(
            Money.from_minor(denomination.value_minor, denomination.currency)
        )
        messages.success(
            request,
            (
                _("%(face)s is back in use.")
                if active
                else _("%(face)s is withdrawn from the counts.")
            )
            % {"face": face},
        )
    return redirect("tellers:denomination_list")


def rate_value(value_e8) -> Decimal | None:
    return selectors.rate_from_e8(value_e8)


__all__ = ["reverse"]
