"""Pages about members and groups. Thin: read the form, call one service, show
the result or the service's refusal on the form."""

from __future__ import annotations

import datetime as dt
import mimetypes
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mupaka.core.exceptions import Conflict, MupakaError, NotFound, ValidationFailed
from mupaka.core.money import Money
from mupaka.core.permissions import has_perm
from mupaka.core.selectors import business_date_get
from mupaka.core.views_utils import form_add_error
from mupaka.core.views_utils import staff_page as core_staff_page
from mupaka.members import selectors, services
from mupaka.members.domain import lifecycle
from mupaka.members.forms import (
    AddMemberForm,
    BorderPostForm,
    ConsentForm,
    DissolveForm,
    GroupForm,
    MemberForm,
    OfficersForm,
    RemoveMemberForm,
    SavingsGroupForm,
    StatusForm,
    TraderProfileForm,
    split_numbers,
)
from mupaka.members.models import BorderPost, MemberStatus, TraderProfile
from mupaka.members.services import DuplicateMembers, TraderProfileData

# --- helpers ------------------------------------------------------------------

# Refusals shown on the page itself; PermissionDenied goes on to the 403 page.
USER_ERRORS = (ValidationFailed, Conflict, NotFound)


def _branch_from(form, user):
    branch = form.cleaned_data.get("branch") if "branch" in form.fields else None
    return branch or user.branch


def _profile_data(form: TraderProfileForm) -> TraderProfileData:
    d = form.cleaned_data
    turnover = d.get("daily_turnover")
    return TraderProfileData(
        border_post_ids=[p.pk for p in d.get("border_posts") or []],
        goods_traded=d.get("goods_traded") or "",
        crossings_per_week=d.get("crossings_per_week"),
        currencies=d.get("currencies") or [],
        daily_turnover=str(turnover) if turnover is not None else None,
        daily_turnover_currency=d.get("daily_turnover_currency") or "",
        savings_group_name=d.get("savings_group_name") or "",
        cooperative_name=d.get("cooperative_name") or "",
    )


def _profile_initial(profile: TraderProfile | None) -> dict:
    if profile is None:
        return {"is_trader": False}
    turnover = None
    if profile.daily_turnover_minor is not None:
        turnover = Money.from_minor(
            profile.daily_turnover_minor, profile.daily_turnover_currency
        ).amount
    return {
        "is_trader": True,
        "border_posts": list(profile.border_posts.all()),
        "goods_traded": profile.goods_traded,
        "crossings_per_week": profile.crossings_per_week,
        "currencies": profile.currencies,
        "daily_turnover": turnover,
        "daily_turnover_currency": profile.daily_turnover_currency,
        "savings_group_name": profile.savings_group_name,
        "cooperative_name": profile.cooperative_name,
    }


def _place_errors(exc: MupakaError, form, trader) -> None:
    """A refusal on the registration page: each message beside its field, in
    whichever of the two forms has it."""
    placed = False
    for field, msgs in exc.errors.items():
        target = form if field in form.fields else trader if field in trader.fields else None
        for message in msgs:
            (target or form).add_error(field if target else None, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def staff_page(perm: str):
    """core's staff_page, and a NotFound from a selector becomes the 404 page."""

    def decorator(view):
        @wraps(view)
        def inner(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message)

        return core_staff_page(perm)(inner)

    return decorator


def _resolve_numbers(user, form, field: str, text: str) -> list:
    """Member numbers typed in a form → members; unknown ones become form errors."""
    found = []
    for number in split_numbers(text):
        try:
            found.append(selectors.member_get_by_number(user=user, number=number))
        except USER_ERRORS as exc:
            form.add_error(field, exc.message)
    return found


# --- members ------------------------------------------------------------------


@staff_page("member.view")
def member_list(request):
    q = request.GET.get("q", "")
    status = request.GET.get("status", "")
    if status not in MemberStatus.values:
        status = ""
    members = selectors.member_search(user=request.user, query=q, status=status)
    page = Paginator(members, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "status": status,
        "statuses": MemberStatus.choices,
        "can_create": has_perm(request.user, "member.create"),
    }
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        response = render(request, "members/_results.html", context)
    else:
        response = render(request, "members/member_list.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@staff_page("member.create")
def member_create(request):
    branches = selectors.branches_for(request.user)
    form = MemberForm(request.POST or None, request.FILES or None, branches=branches)
    trader = TraderProfileForm(request.POST or None, prefix="trader")
    duplicates = None
    if request.method == "POST" and form.is_valid() and trader.is_valid():
        profile = _profile_data(trader) if trader.cleaned_data.get("is_trader") else None
        try:
            member = services.member_register(
                actor=request.user,
                branch=_branch_from(form, request.user),
                trader_profile=profile,
                duplicate_reason=form.cleaned_data.get("duplicate_reason") or "",
                **form.service_values(),
            )
        except DuplicateMembers as exc:
            duplicates = exc.matches
            form.add_error("duplicate_reason", _("Give a reason to register her anyway."))
        except USER_ERRORS as exc:
            _place_errors(exc, form, trader)
        else:
            messages.success(
                request,
                _("Member %(number)s registered: %(name)s.")
                % {"number": member.number, "name": member.full_name},
            )
            return redirect("members:member_detail", pk=member.pk)
    return render(
        request,
        "members/member_form.html",
        {"form": form, "trader": trader, "duplicates": duplicates, "creating": True},
    )


# --- her money: savings, shares, loans (read through their apps' selectors) ---------------
@dataclass(frozen=True)
class AccountRow:
    id: int
    number: str
    product: str
    kind: str
    status: str
    status_label: str
    balance: Money
    available: Money
    blocked: Money
    maturity_date: dt.date | None


@dataclass(frozen=True)
class LoanRow:
    id: int
    number: str
    product: str
    status: str
    status_label: str
    principal: Money
    outstanding: Money
    days_past_due: int
    group_loan: str


def _savings_rows(user, member) -> tuple[list[AccountRow], int] | None:
    """Her open savings accounts and how many are closed (None: not for this role)."""
    if not has_perm(user, "savings.view"):
        return None
    from mupaka.savings.selectors import member_accounts

    rows, closed = [], 0
    for a in member_accounts(member):
        if a.status == "closed":
            closed += 1
            continue
        cur = a.currency
        rows.append(
            AccountRow(
                id=a.pk,
                number=a.number,
                product=a.product.name,
                kind=a.product.kind,
                status=a.status,
                status_label=a.get_status_display(),
                balance=Money.from_minor(a.balance_minor, cur),
                available=Money.from_minor(max(a.available_minor, 0), cur),
                blocked=Money.from_minor(a.blocked_minor, cur),
                maturity_date=a.maturity_date,
            )
        )
    return rows, closed


def _shares_context(user, member) -> dict | None:
    if not has_perm(user, "shares.view"):
        return None
    from mupaka.shares.selectors import holding_for, share_product

    product = share_product()
    holding = holding_for(member)
    if holding is None and product is None:
        return {"product": None, "holding": None}
    cur = holding.currency if holding else product.currency
    return {
        "product": product,
        "holding": holding,
        "shares": holding.shares if holding else 0,
        "value": holding.paid if holding else Money.zero(cur),
        "fee_paid_on": holding.entry_fee_paid_date if holding else None,
        "min_shares": product.min_shares if product else 0,
    }


def _loans_context(user, member) -> dict | None:
    if not has_perm(user, "loan.view"):
        return None
    from mupaka.loans.selectors import loan_list, member_group_loans

    rows = []
    for loan in loan_list(user=user, member=member):
        cur = loan.currency
        outstanding = (
            loan.principal_outstanding_minor
            + loan.interest_outstanding_minor
            + loan.fees_outstanding_minor
            + loan.penalties_outstanding_minor
        )
        rows.append(
            LoanRow(
                id=loan.pk,
                number=loan.number,
                product=loan.product.name,
                status=loan.status,
                status_label=loan.get_status_display(),
                principal=Money.from_minor(loan.principal_minor, cur),
                outstanding=Money.from_minor(outstanding, cur),
                days_past_due=loan.days_past_due if loan.status == "active" else 0,
                group_loan=loan.group_loan.number if loan.group_loan_id else "",
            )
        )
    return {"loans": rows, "group_loans": member_group_loans(user=user, member=member)}


@staff_page("member.view")
def member_detail(request, pk: int):
    member = selectors.member_get(user=request.user, member_id=pk)
    on_date = business_date_get()
    profile = TraderProfile.objects.filter(member=member).prefetch_related("border_posts").first()
    turnover = None
    if profile is not None and profile.daily_turnover_minor is not None:
        turnover = Money.from_minor(profile.daily_turnover_minor, profile.daily_turnover_currency)
    user = request.user
    next_statuses = [
        (s, MemberStatus(s).label)
        for s in lifecycle.next_statuses(member.status)
        if has_perm(
            user,
            "member.activate"
            if (member.status, s) == (MemberStatus.PENDING, MemberStatus.ACTIVE)
            else "member.status_change",
        )
    ]
    # A pending member is made active only once her entry fee and shares are paid:
    # instead of a button that would be refused, the page says what is missing.
    activation_problem = None
    if member.status == MemberStatus.PENDING and any(
        s == MemberStatus.ACTIVE for s, _label in next_statuses
    ):
        activation_problem = services.activation_problem(member)
        if activation_problem:
            next_statuses = [(s, label) for s, label in next_statuses if s != MemberStatus.ACTIVE]
    accounts = _savings_rows(user, member)
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "kyc_tier": selectors.member_kyc_tier(member, on_date=on_date),
            "languages": [str(dict(settings.MEMBER_LANGUAGES).get(c, c)) for c in member.languages],
            "profile": profile,
            "turnover": turnover,
            "solidarity": selectors.member_solidarity_membership(member),
            "savings": selectors.member_savings_membership(member),
            "history": selectors.member_group_history(member),
            "next_statuses": next_statuses,
            "activation_problem": activation_problem,
            "reason_required": sorted(lifecycle.REASON_REQUIRED),
            "consent_form": ConsentForm(
                initial={
                    "consent_sms": member.consent_sms,
                    "consent_network": member.consent_network,
                }
            ),
            "accounts": accounts,
            "shares": _shares_context(user, member),
            "credit": _loans_context(user, member),
            "active": member.status == MemberStatus.ACTIVE,
            "can_open_account": has_perm(user, "savings.account.open")
            and member.status == MemberStatus.ACTIVE,
            "can_open_term": has_perm(user, "savings.account.open")
            and (has_perm(user, "savings.deposit") or has_perm(user, "savings.transfer"))
            and member.status == MemberStatus.ACTIVE,
            "can_apply": has_perm(user, "loan.apply") and member.status == MemberStatus.ACTIVE,
            "can_buy_shares": has_perm(user, "shares.buy")
            and member.status in (MemberStatus.PENDING, MemberStatus.ACTIVE),
            "at_counter": has_perm(user, "till.operate"),
            "can_edit": has_perm(user, "member.update") and member.status != MemberStatus.EXITED,
            "can_consent": has_perm(user, "member.consent"),
            "can_audit": has_perm(user, "audit.view"),
        },
    )


@staff_page("member.update")
def member_edit(request, pk: int):
    member = selectors.member_get(user=request.user, member_id=pk)
    initial = {
        f: getattr(member, f)
        for f in services.members.MEMBER_EDITABLE
        if f not in ("photo", "languages")
    }
    initial["languages"] = [c for c in member.languages if c != member.language]
    form = MemberForm(request.POST or None, request.FILES or None, initial=initial, editing=True)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        try:
            services.member_update(
                actor=request.user,
                member=member,
                duplicate_reason=form.cleaned_data.get("duplicate_reason") or "",
                **values,
            )
        except DuplicateMembers as exc:
            duplicates = exc.matches
            form.add_error("duplicate_reason", _("Give a reason to save anyway."))
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("members:member_detail", pk=member.pk)
    return render(
        request,
        "members/member_form.html",
        {"form": form, "member": member, "duplicates": duplicates, "creating": False},
    )


@staff_page("member.update")
def trader_profile_edit(request, pk: int):
    member = selectors.member_get(user=request.user, member_id=pk)
    profile = TraderProfile.objects.filter(member=member).first()
    form = TraderProfileForm(
        request.POST or None, initial=_profile_initial(profile), with_switch=False
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.trader_profile_set(actor=request.user, member=member, data=_profile_data(form))
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Trader profile saved."))
            return redirect("members:member_detail", pk=member.pk)
    return render(request, "members/trader_profile_form.html", {"form": form, "member": member})


@require_POST
@staff_page("member.view")
def member_status(request, pk: int):
    member = selectors.member_get(user=request.user, member_id=pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.member_status_change(
                actor=request.user,
                member=member,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Status changed to “%(status)s”.")
                % {"status": MemberStatus(form.cleaned_data["status"]).label},
            )
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect("members:member_detail", pk=member.pk)


@require_POST
@staff_page("member.consent")
def member_consent(request, pk: int):
    member = selectors.member_get(user=request.user, member_id=pk)
    form = ConsentForm(request.POST)
    form.is_valid()
    try:
        services.member_consent_set(
            actor=request.user,
            member=member,
            sms=form.cleaned_data.get("consent_sms", False),
            network=form.cleaned_data.get("consent_network", False),
        )
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Consent recorded."))
    return redirect("members:member_detail", pk=member.pk)


@staff_page("member.view")
def member_photo(request, pk: int):
    """The photo is personal data: served only to staff who may see the member."""
    member = selectors.member_get(user=request.user, member_id=pk)
    if not member.photo:
        raise Http404
    content_type = mimetypes.guess_type(member.photo.name)[0] or "application/octet-stream"
    response = FileResponse(member.photo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- solidarity groups ---------------------------------------------------------


@staff_page("group.view")
def group_list(request):
    q = request.GET.get("q", "")
    groups = selectors.group_list(
        user=request.user, query=q, include_dissolved=request.GET.get("all") == "1"
    )
    page = Paginator(groups, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "members/group_list.html",
        {"page": page, "q": q, "can_manage": has_perm(request.user, "group.manage")},
    )


@staff_page("group.manage")
def group_create(request):
    branches = selectors.branches_for(request.user)
    form = GroupForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        members = _resolve_numbers(request.user, form, "members", d["members"])
        leader = _resolve_numbers(request.user, form, "leader", d["leader"])
        secretary = _resolve_numbers(request.user, form, "secretary", d["secretary"])
        if not form.errors:
            try:
                group = services.solidarity_group_create(
                    actor=request.user,
                    branch=_branch_from(form, request.user),
                    name=d["name"],
                    members=members,
                    leader=leader[0] if leader else None,
                    secretary=secretary[0] if secretary else None,
                    joint_liability=d["joint_liability"],
                    meeting_day=d["meeting_day"],
                    meeting_place=d["meeting_place"],
                )
            except USER_ERRORS as exc:
                form_add_error(form, exc)
            else:
                messages.success(request, _("Group “%(name)s” created.") % {"name": group.name})
                return redirect("members:group_detail", pk=group.pk)
    return render(request, "members/group_form.html", {"form": form, "creating": True})


@staff_page("group.view")
def group_detail(request, pk: int):
    group = selectors.group_get(user=request.user, group_id=pk)
    members = selectors.group_active_members(group)
    return render(
        request,
        "members/group_detail.html",
        {
            "group": group,
            "members": members,
            "history": [m for m in selectors.group_history(group) if m.left_date],
            "add_form": AddMemberForm(),
            "officers_form": OfficersForm(
                members=members,
                initial={"leader": group.leader_id, "secretary": group.secretary_id},
            ),
            "can_manage": has_perm(request.user, "group.manage") and group.status == "active",
        },
    )


@staff_page("group.manage")
def group_edit(request, pk: int):
    group = selectors.group_get(user=request.user, group_id=pk)
    form = GroupForm(
        request.POST or None,
        editing=True,
        initial={
            "name": group.name,
            "joint_liability": group.joint_liability,
            "meeting_day": group.meeting_day,
            "meeting_place": group.meeting_place,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.solidarity_group_update(actor=request.user, group=group, **form.cleaned_data)
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("members:group_detail", pk=group.pk)
    return render(
        request, "members/group_form.html", {"form": form, "group": group, "creating": False}
    )


def _group_action(request, pk: int, action) -> None:
    try:
        action()
    except USER_ERRORS as exc:
        messages.error(request, exc.message)


@require_POST
@staff_page("group.manage")
def group_member_add(request, pk: int):
    group = selectors.group_get(user=request.user, group_id=pk)
    form = AddMemberForm(request.POST)
    if form.is_valid():
        try:
            member = selectors.member_get_by_number(
                user=request.user, number=form.cleaned_data["member"]
            )
            services.group_member_add(actor=request.user, group=group, member=member)
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(member)s added.") % {"member": member.full_name})
    else:
        messages.error(request, _("Give a member number."))
    return redirect("members:group_detail", pk=group.pk)


@require_POST
@staff_page("group.manage")
def group_member_remove(request, pk: int, member_pk: int):
    group = selectors.group_get(user=request.user, group_id=pk)
    form = RemoveMemberForm(request.POST)
    form.is_valid()
    try:
        member = selectors.member_get(user=request.user, member_id=member_pk)
        services.group_member_remove(
            actor=request.user,
            group=group,
            member=member,
            reason=form.cleaned_data.get("reason", ""),
        )
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(member)s left the group.") % {"member": member.full_name})
    return redirect("members:group_detail", pk=group.pk)


@require_POST
@staff_page("group.manage")
def group_officers(request, pk: int):
    group = selectors.group_get(user=request.user, group_id=pk)
    members = selectors.group_active_members(group)
    form = OfficersForm(request.POST, members=members)
    if form.is_valid():
        by_id = {m.pk: m for m in members}
        try:
            services.group_officers_set(
                actor=request.user,
                group=group,
                leader=by_id.get(form.cleaned_data["leader"]),
                secretary=by_id.get(form.cleaned_data["secretary"]),
            )
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Leader and secretary saved."))
    else:
        messages.error(request, _("Choose the leader and the secretary among the members."))
    return redirect("members:group_detail", pk=group.pk)


@require_POST
@staff_page("group.manage")
def group_dissolve(request, pk: int):
    group = selectors.group_get(user=request.user, group_id=pk)
    form = DissolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason the group is dissolved."))
        return redirect("members:group_detail", pk=group.pk)
    try:
        services.solidarity_group_dissolve(
            actor=request.user, group=group, reason=form.cleaned_data["reason"]
        )
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The group is dissolved."))
    return redirect("members:group_detail", pk=group.pk)


# --- savings groups (AVEC) ----------------------------------------------------


@staff_page("group.view")
def avec_list(request):
    q = request.GET.get("q", "")
    groups = selectors.savings_group_list(user=request.user, query=q)
    page = Paginator(groups, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "members/avec_list.html",
        {"page": page, "q": q, "can_manage": has_perm(request.user, "group.manage")},
    )


@staff_page("group.manage")
def avec_create(request):
    branches = selectors.branches_for(request.user)
    form = SavingsGroupForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        members = _resolve_numbers(request.user, form, "members", d["members"])
        if not form.errors:
            try:
                group = services.savings_group_create(
                    actor=request.user,
                    branch=_branch_from(form, request.user),
                    name=d["name"],
                    members=members,
                    meeting_day=d["meeting_day"],
                    meeting_place=d["meeting_place"],
                    facilitator=d["facilitator"],
                )
            except USER_ERRORS as exc:
                form_add_error(form, exc)
            else:
                messages.success(request, _("Group “%(name)s” created.") % {"name": group.name})
                return redirect("members:avec_detail", pk=group.pk)
    return render(request, "members/avec_form.html", {"form": form})


@staff_page("group.view")
def avec_detail(request, pk: int):
    group = selectors.savings_group_get(user=request.user, group_id=pk)
    return render(
        request,
        "members/avec_detail.html",
        {
            "group": group,
            "memberships": selectors.savings_group_members(group),
            "add_form": AddMemberForm(),
            "can_manage": has_perm(request.user, "group.manage") and group.status == "active",
        },
    )


@require_POST
@staff_page("group.manage")
def avec_member_add(request, pk: int):
    group = selectors.savings_group_get(user=request.user, group_id=pk)
    form = AddMemberForm(request.POST)
    if form.is_valid():
        try:
            member = selectors.member_get_by_number(
                user=request.user, number=form.cleaned_data["member"]
            )
            services.savings_group_member_add(
                actor=request.user,
                group=group,
                member=member,
                role=form.cleaned_data.get("role") or "member",
            )
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(member)s added.") % {"member": member.full_name})
    else:
        messages.error(request, _("Give a member number."))
    return redirect("members:avec_detail", pk=group.pk)


@require_POST
@staff_page("group.manage")
def avec_member_remove(request, pk: int, member_pk: int):
    group = selectors.savings_group_get(user=request.user, group_id=pk)
    try:
        member = selectors.member_get(user=request.user, member_id=member_pk)
        services.savings_group_member_remove(actor=request.user, group=group, member=member)
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(member)s left the group.") % {"member": member.full_name})
    return redirect("members:avec_detail", pk=group.pk)


# --- border posts ---------------------------------------------------------------


@staff_page("border_post.manage")
def border_post_list(request):
    form = BorderPostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d.pop("is_active", None)
        try:
            services.border_post_create(actor=request.user, **d)
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Border post added."))
            return redirect("members:border_post_list")
    posts = selectors.border_post_list(include_inactive=True)
    return render(request, "members/border_post_list.html", {"form": form, "posts": posts})


@staff_page("border_post.manage")
def border_post_edit(request, pk: int):
    post = BorderPost.objects.filter(pk=pk).first()
    if post is None:
        raise NotFound(_("No border post with this id."))
    form = BorderPostForm(
        request.POST or None,
        initial={
            "name": post.name,
            "country": post.country,
            "other_country": post.other_country,
            "town": post.town,
            "is_active": post.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.border_post_update(actor=request.user, post=post, **form.cleaned_data)
        except USER_ERRORS as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("members:border_post_list")
    return render(request, "members/border_post_form.html", {"form": form, "post": post})
