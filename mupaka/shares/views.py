"""Pages about member shares: the institution's share product, the list of holdings,
and the shares page of a member (buy, ask for a redemption, approve it, pay it)."""

from __future__ import annotations

import uuid
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mupaka.core.exceptions import Conflict, NotFound, ValidationFailed
from mupaka.core.permissions import has_perm
from mupaka.core.views_utils import form_add_error
from mupaka.core.views_utils import staff_page as core_staff_page
from mupaka.members.selectors import member_get
from mupaka.savings.models import AccountStatus, SavingsAccount
from mupaka.savings.services.messages import money_text
from mupaka.shares import selectors, services
from mupaka.shares.forms import (
    DecisionForm,
    PayForm,
    ProductForm,
    PurchaseForm,
    RedemptionRequestForm,
)
from mupaka.shares.models import RedemptionStatus

USER_ERRORS = (ValidationFailed, Conflict, NotFound)


def staff_page(perm: str):
    def decorator(view):
        @wraps(view)
        def inner(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message)

        return core_staff_page(perm)(inner)

    return decorator


@staff_page("shares.product.manage")
def product(request):
    current = selectors.share_product()
    initial = {}
    if current is not None:
        initial = {
            "name": current.name,
            "currency": current.currency,
            "unit_price": current.unit_price.amount,
            "min_shares": current.min_shares,
            "max_shares": current.max_shares,
            "entry_fee": current.entry_fee.amount,
        }
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_product_set(actor=request.user, **form.cleaned_data)
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Share product saved."))
            return redirect("shares:product")
    return render(request, "shares/product.html", {"form": form, "product": current})


@staff_page("shares.view")
def holding_list(request):
    q = request.GET.get("q", "")
    page = Paginator(selectors.holding_list(user=request.user, query=q), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "shares/holding_list.html",
        {
            "page": page,
            "q": q,
            "redemptions": selectors.redemptions_open(user=request.user),
            "product": selectors.share_product(),
        },
    )


def _accounts(member, currency: str | None):
    qs = SavingsAccount.objects.filter(member=member, status=AccountStatus.ACTIVE)
    return qs.filter(currency=currency) if currency else qs.none()


@staff_page("shares.view")
def member_shares(request, pk: int):
    member = member_get(user=request.user, member_id=pk)
    product = selectors.share_product()
    holding = selectors.holding_for(member)
    accounts = _accounts(member, product.currency if product else None)
    user = request.user
    open_redemption = (
        holding.redemptions.filter(
            status__in=[RedemptionStatus.PENDING, RedemptionStatus.APPROVED]
        ).first()
        if holding
        else None
    )
    return render(
        request,
        "shares/member.html",
        {
            "member": member,
            "product": product,
            "holding": holding,
            "transactions": selectors.holding_transactions(holding) if holding else [],
            "redemption": open_redemption,
            "purchase_form": PurchaseForm(
                accounts=accounts,
                initial={
                    "idempotency_key": str(uuid.uuid4()),
                    "shares": product.min_shares
                    if product and not (holding and holding.shares)
                    else 1,
                },
            ),
            "request_form": RedemptionRequestForm(),
            "decision_form": DecisionForm(),
            "pay_form": PayForm(accounts=accounts, initial={"idempotency_key": str(uuid.uuid4())}),
            "can_buy": has_perm(user, "shares.buy")
            and product is not None
            and member.status in ("pending", "active"),
            "can_request": has_perm(user, "shares.redeem.request")
            and holding is not None
            and holding.shares > 0
            and open_redemption is None,
            "can_decide": has_perm(user, "shares.redeem.approve")
            and open_redemption is not None
            and open_redemption.status == RedemptionStatus.PENDING
            and open_redemption.requested_by_id != user.pk,
            "can_pay": has_perm(user, "shares.redeem.pay")
            and open_redemption is not None
            and open_redemption.status == RedemptionStatus.APPROVED,
        },
    )


@require_POST
@staff_page("shares.buy")
def buy(request, pk: int):
    member = member_get(user=request.user, member_id=pk)
    product = selectors.share_product()
    form = PurchaseForm(
        request.POST, accounts=_accounts(member, product.currency if product else None)
    )
    if form.is_valid():
        d = form.cleaned_data
        try:
            result = services.shares_purchase(
                actor=request.user,
                member=member,
                shares=d["shares"],
                idempotency_key=d["idempotency_key"],
                channel=d["channel"],
                savings_account=d.get("savings_account"),
            )
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            text = _("Paid %(total)s: %(n)s shares") % {
                "total": money_text(result.total),
                "n": result.shares_bought,
            }
            if result.entry_fee_minor:
                text += _(" and the entry fee")
            if result.member_activated:
                text += ". " + _("%(name)s is now an active member.") % {"name": member.full_name}
            messages.success(request, text)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("shares:member", pk=member.pk)


@require_POST
@staff_page("shares.redeem.request")
def redeem_request(request, pk: int):
    member = member_get(user=request.user, member_id=pk)
    form = RedemptionRequestForm(request.POST)
    if form.is_valid():
        try:
            services.shares_redeem_request(
                actor=request.user,
                member=member,
                shares=form.cleaned_data.get("shares"),
                reason=form.cleaned_data["reason"],
            )
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Redemption requested: a second person approves it."))
    else:
        messages.error(request, _("Give the reason for the redemption."))
    return redirect("shares:member", pk=member.pk)


@require_POST
@staff_page("shares.redeem.approve")
def redeem_decide(request, pk: int):
    redemption = selectors.redemption_get(user=request.user, redemption_id=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.shares_redeem_decide(
                actor=request.user,
                redemption=redemption,
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data.get("note") or "",
            )
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Decision recorded."))
    return redirect("shares:member", pk=redemption.holding.member_id)


@require_POST
@staff_page("shares.redeem.pay")
def redeem_pay(request, pk: int):
    redemption = selectors.redemption_get(user=request.user, redemption_id=pk)
    member = redemption.holding.member
    form = PayForm(request.POST, accounts=_accounts(member, redemption.holding.currency))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.shares_redeem_pay(
                actor=request.user,
                redemption=redemption,
                idempotency_key=d["idempotency_key"],
                channel=d["channel"],
                savings_account=d.get("savings_account"),
            )
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Redemption paid: %(amount)s.") % {"amount": money_text(redemption.amount)},
            )
    return redirect("shares:member", pk=member.pk)
