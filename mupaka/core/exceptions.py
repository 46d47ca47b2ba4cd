"""Errors a person can act on. Messages are translated and shown as they are.

Services raise these; entry points (views, API, USSD) turn them into a page,
a JSON body or a short text. Nothing is written when one is raised inside the
service's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied


class MupakaError(Exception):
    status = 400
    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        errors: Mapping[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.errors: dict[str, list[str]] = {
            k: [str(m) for m in v] for k, v in (errors or {}).items()
        }
        if field and field not in self.errors:
            self.errors[field] = [self.message]

    def as_dict(self) -> dict:
        body: dict = {"detail": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


class ValidationFailed(MupakaError):
    status = 400
    default_code = "invalid"


class PermissionDenied(MupakaError, DjangoPermissionDenied):
    status = 403
    default_code = "permission_denied"


class NotFound(MupakaError):
    status = 404
    default_code = "not_found"


class Conflict(MupakaError):
    status = 409
    default_code = "conflict"
