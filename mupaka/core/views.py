from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mupaka.core import selectors, services
from mupaka.core.exceptions import MupakaError
from mupaka.core.forms import BranchForm, InstitutionForm, StaffForm
from mupaka.core.models import Branch, User
from mupaka.core.views_utils import form_add_error, staff_page


@login_required
def home(request):
    return render(request, "core/home.html", {})


def permission_denied(request, exception=None):
    message = (
        str(exception)
        if exception and str(exception)
        else _("You do not have permission to see this page.")
    )
    return render(request, "core/403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    """An unknown address or object, in the user's language inside the usual layout
    (Django's own page is English and bare). Under /api/ the ErrorPageMiddleware turns
    it into the API's JSON error."""
    message = _(
        "This page does not exist, or what it showed is no longer there. "
        "Check the address, or go back and search again."
    )
    return render(request, "core/error.html", {"message": message, "status": 404}, status=404)


def server_error(request):
    """An unexpected error: say so plainly, and that the operation may not have been
    carried out (the teller checks the account before trying again: a repeated form is
    recognised by its idempotency key, so trying again never moves money twice)."""
    return render(request, "core/500.html", status=500)


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@staff_page("audit.view")
def audit(request):
    q = request.GET
    actor_id = q.get("actor") or None
    entries = selectors.audit_list(
        user=request.user,
        object_type=q.get("object_type", "").strip(),
        object_id=q.get("object_id", "").strip(),
        actor_id=int(actor_id) if actor_id and actor_id.isdigit() else None,
        action=q.get("action", "").strip(),
        date_from=_parse_date(q.get("from", "")),
        date_to=_parse_date(q.get("to", "")),
    )
    page = Paginator(entries, 50).get_page(q.get("page"))
    actors = User.objects.order_by("username")
    types = (
        selectors.AuditLog.objects.values_list("object_type", flat=True)
        .distinct()
        .order_by("object_type")
    )
    return render(
        request, "core/audit.html", {"page": page, "actors": actors, "types": types, "q": q}
    )


@staff_page("staff.manage")
def staff_list(request):
    staff = User.objects.select_related("branch").order_by("username")
    return render(request, "core/staff_list.html", {"staff": staff})


@staff_page("staff.manage")
def staff_create(request):
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = services.staff_create(
                actor=request.user,
                username=d["username"],
                password=d["password"],
                role=d["role"],
                branch=d["branch"],
                first_name=d["first_name"],
                last_name=d["last_name"],
                email=d["email"],
                phone=d["phone"],
                all_branches=d["all_branches"],
                language=d["language"],
            )
        except MupakaError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Staff user %(u)s created.") % {"u": user.username})
            return redirect("core:staff_list")
    return render(request, "core/staff_form.html", {"form": form, "creating": True})


@staff_page("staff.manage")
def staff_edit(request, pk: int):
    user = get_object_or_404(User, pk=pk)
    initial = {
        f: getattr(user, f)
        for f in [
            "username",
            "first_name",
            "last_name",
            "email",
            "phone",
            "role",
            "branch",
            "all_branches",
            "language",
            "is_active",
        ]
    }
    form = StaffForm(request.POST or None, initial=initial, editing=True)
    token = None
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d.pop("username", None)
        try:
            services.staff_update(actor=request.user, user=user, **d)
        except MupakaError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("core:staff_list")
    return render(
        request,
        "core/staff_form.html",
        {"form": form, "creating": False, "subject": user, "token": token},
    )


@require_POST
@staff_page("staff.manage")
def staff_token(request, pk: int):
    user = get_object_or_404(User, pk=pk)
    token = services.staff_token_create(actor=request.user, user=user)
    messages.warning(
        request,
        _("New API token for %(u)s (shown once): %(key)s") % {"u": user.username, "key": token.key},
    )
    return redirect("core:staff_edit", pk=pk)


@staff_page("institution.manage")
def institution(request):
    inst = selectors.institution_get()
    form = InstitutionForm(
        request.POST or None,
        initial={
            "name": inst.name,
            "short_name": inst.short_name,
            "country": inst.country,
            "base_currency": inst.base_currency,
            "accepted_currencies": ", ".join(inst.accepted_currencies),
            "regulatory_preset": inst.regulatory_preset,
        },
    )
    branch_form = BranchForm(prefix="branch")
    if request.method == "POST" and form.is_valid():
        try:
            services.institution_update(actor=request.user, **form.cleaned_data)
        except MupakaError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("core:institution")
    branches = Branch.objects.order_by("code")
    return render(
        request,
        "core/institution.html",
        {"form": form, "branch_form": branch_form, "branches": branches},
    )


@require_POST
@staff_page("institution.manage")
def branch_create(request):
    form = BranchForm(request.POST, prefix="branch")
    if form.is_valid():
        try:
            services.branch_create(actor=request.user, **form.cleaned_data)
        except MupakaError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Branch created."))
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    return redirect("core:institution")
