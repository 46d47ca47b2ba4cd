"""Shared pieces of the JSON API: error translation and the idempotency header."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from mupaka.core.exceptions import MupakaError, ValidationFailed


def exception_handler(exc, context):
    if isinstance(exc, MupakaError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoPermissionDenied):
        return Response(
            {
                "detail": str(exc) or _("You do not have permission to do this."),
                "code": "permission_denied",
            },
            status=403,
        )
    if isinstance(exc, Http404):
        return Response({"detail": _("Not found."), "code": "not_found"}, status=404)
    if isinstance(exc, IntegrityError):
        return Response(
            {"detail": _("This conflicts with data already recorded."), "code": "conflict"},
            status=409,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        data = response.data
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {
            "detail": _("The request is not valid; see the errors by field."),
            "code": "invalid",
            "errors": errors,
        }
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {
            "detail": str(response.data["detail"]),
            "code": getattr(response.data["detail"], "code", "error"),
        }
    return response


def idempotency_key(request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise ValidationFailed(
            _("The Idempotency-Key header is required for a request that moves money."),
            field="Idempotency-Key",
            code="idempotency_key_missing",
        )
    return key


# --- core endpoints -----------------------------------------------------------
from drf_spectacular.utils import extend_schema, inline_serializer  # noqa: E402
from rest_framework import serializers  # noqa: E402
from rest_framework.decorators import api_view  # noqa: E402


@extend_schema(
    responses=inline_serializer(
        "Me",
        {
            "username": serializers.CharField(),
            "role": serializers.CharField(),
            "branch": serializers.CharField(allow_null=True),
            "business_date": serializers.DateField(),
        },
    )
)
@api_view(["GET"])
def me(request):
    """Who the token belongs to, and the institution's business date."""
    from mupaka.core.selectors import business_date_get

    user = request.user
    return Response(
        {
            "username": user.username,
            "role": user.role,
            "branch": user.branch.code if user.branch_id else None,
            "business_date": business_date_get(),
        }
    )
