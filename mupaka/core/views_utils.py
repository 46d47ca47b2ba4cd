"""Small helpers shared by the page views of every app."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.forms import Form

from mupaka.core.exceptions import MupakaError
from mupaka.core.permissions import require_perm


def staff_page(perm: str):
    """Login required, then the permission; a refusal renders the 403 page with its reason."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            require_perm(request.user, perm)
            return view(request, *args, **kwargs)

        wrapped.required_perm = perm  # type: ignore[attr-defined]
        return wrapped

    return decorator


def form_add_error(form: Form, exc: MupakaError) -> None:
    """Show a service's refusal on the form: per field where it names one."""
    placed = False
    for field, messages in exc.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
