"""Pages of end of day: the manager's button and its progress, holidays, provisioning bands."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mupaka.cob import forms as f
from mupaka.cob import selectors, services
from mupaka.cob.api import job_json
from mupaka.cob.domain.bands import ppm_to_percent
from mupaka.cob.models import Holiday
from mupaka.core.exceptions import MupakaError
from mupaka.core.idempotency import idempotent
from mupaka.core.permissions import has_perm, require_perm
from mupaka.core.views_utils import form_add_error, staff_page


@staff_page("cob.view")
def home(request):
    user = request.user
    form = None
    if has_perm(user, "cob.run"):
        form = f.RunForm(request.POST or None, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST":
        require_perm(user, "cob.run")
        if form.is_valid():
            until = form.cleaned_data.get("until")
            try:
                result = idempotent(
                    key=f"cob-page:{form.cleaned_data['idempotency_key']}",
                    scope="cob.request",
                    actor=user,
                    payload={"until": until},
                    run=lambda: {"job": str(services.cob_request(actor=user, until=until).pk)},
                )
                job = selectors.job_get(result.response["job"])
                if not result.replayed:
                    services.cob_job_launch(job)
                return redirect("cob:job", job=job.pk)
            except MupakaError as exc:
                form_add_error(form, exc)
    runs = selectors.run_list(limit=15)
    return render(
        request,
        "cob/home.html",
        {
            "status": selectors.business_date_status(),
            "form": form,
            "runs": runs,
            "active_job": selectors.job_active(),
        },
    )


def _job_or_404(job):
    found = selectors.job_get(job)
    if found is None:
        raise Http404
    return found


@staff_page("cob.view")
def job(request, job):
    found = _job_or_404(job)
    return render(request, "cob/job.html", {"job": job_json(found), "status_obj": found})


@staff_page("cob.view")
def job_progress(request, job):
    """The progress block alone, polled by htmx every second until the job ends."""
    found = _job_or_404(job)
    return render(request, "cob/_progress.html", {"job": job_json(found)})


@staff_page("cob.view")
def holidays(request):
    user = request.user
    form = f.HolidayForm(request.POST or None) if has_perm(user, "holiday.manage") else None
    if request.method == "POST":
        require_perm(user, "holiday.manage")
        if form.is_valid():
            try:
                services.holiday_create(actor=user, **form.cleaned_data)
                messages.success(request, _("Holiday recorded: end of day will skip it."))
                return redirect("cob:holidays")
            except MupakaError as exc:
                form_add_error(form, exc)
    status = selectors.business_date_status()
    return render(
        request,
        "cob/holidays.html",
        {
            "form": form,
            "upcoming": Holiday.objects.filter(date__gt=status.business_date),
            "past": Holiday.objects.filter(date__lte=status.business_date).order_by("-date")[:30],
            "status": status,
        },
    )


@require_POST
@staff_page("holiday.manage")
def holiday_delete(request, pk):
    try:
        services.holiday_delete(actor=request.user, holiday_id=pk)
        messages.success(request, _("Holiday removed."))
    except MupakaError as exc:
        messages.error(request, exc.message)
    return redirect("cob:holidays")


def _band_initial() -> list[dict]:
    return [
        {
            "restructured": b.restructured,
            "category": b.category,
            "label_fr": b.label_fr,
            "label_en": b.label_en,
            "min_days": b.min_days,
            "max_days": b.max_days,
            "rate": format(ppm_to_percent(b.rate_ppm), "f"),
        }
        for b in selectors.band_list()
    ]


@staff_page("cob.view")
def bands(request):
    user = request.user
    can_edit = has_perm(user, "provision_bands.manage")
    formset = None
    errors: list[str] = []
    if can_edit:
        formset = f.BandFormSet(request.POST or None, initial=_band_initial(), prefix="band")
    if request.method == "POST":
        require_perm(user, "provision_bands.manage")
        if request.POST.get("action") == "load_preset":
            try:
                services.provision_bands_load(actor=user)
                messages.success(request, _("Bands loaded from the regulatory preset."))
                return redirect("cob:bands")
            except MupakaError as exc:
                errors = exc.errors.get("bands", [exc.message])
        elif formset.is_valid():
            data = [
                services.BandData(
                    restructured=form.cleaned_data.get("restructured", False),
                    min_days=form.cleaned_data["min_days"],
                    max_days=form.cleaned_data.get("max_days"),
                    rate=form.cleaned_data["rate"],
                    category=form.cleaned_data.get("category", ""),
                    label_fr=form.cleaned_data.get("label_fr", ""),
                    label_en=form.cleaned_data.get("label_en", ""),
                )
                for form in formset.forms
                if form.cleaned_data
                and not form.cleaned_data.get("DELETE")
                and form.cleaned_data.get("min_days") is not None
            ]
            try:
                services.provision_bands_replace(actor=user, bands=data)
                messages.success(
                    request, _("Provisioning bands saved. The next end of day uses them.")
                )
                return redirect("cob:bands")
            except MupakaError as exc:
                errors = exc.errors.get("bands", [exc.message])
    return render(
        request,
        "cob/bands.html",
        {
            "bands": selectors.band_list(),
            "formset": formset,
            "errors": errors,
            "preset": selectors.institution_get().regulatory_preset,
        },
    )
