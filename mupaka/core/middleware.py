from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from mupaka.core.exceptions import MupakaError, PermissionDenied

_SUPPORTED = {code for code, _ in settings.LANGUAGES}


class LanguageMiddleware:
    """French first. The language comes from the switch (a cookie), then, for the
    API, an explicit Accept-Language, then the staff user's preference, else French.
    A browser's own Accept-Language is ignored on pages: counters share computers
    set up in English."""

    def __init__(self, get_response):
        self.get_response = get_response

    def _choose(self, request) -> str:
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in _SUPPORTED:
            return cookie
        if request.path.startswith("/api/"):
            header = request.headers.get("Accept-Language", "")
            for part in header.split(","):
                code = part.split(";")[0].strip().lower()[:2]
                if code in _SUPPORTED:
                    return code
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            if user.language in _SUPPORTED:
                return user.language
        return settings.LANGUAGE_CODE

    def __call__(self, request):
        lang = self._choose(request)
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        translation.deactivate()
        return response


def _api_error_body(status: int, reason: str) -> dict:
    """What an API client reads when Django itself answered (no API view ran): the
    shape of :func:`mupaka.core.api.exception_handler`, ``{"detail", "code"}``."""
    known = {
        400: (_("The request is not valid."), "invalid"),
        403: (_("You do not have permission to do this."), "permission_denied"),
        404: (
            _("There is nothing at this address in the API (see /api/v1/docs)."),
            "not_found",
        ),
        405: (_("This method is not allowed at this address."), "method_not_allowed"),
        500: (_("Unexpected server error: the request may not have been carried out."), "error"),
    }
    detail, code = known.get(status, (reason, "error"))
    return {"detail": str(detail), "code": code}


class ErrorPageMiddleware:
    """A service refusal that reaches a page view uncaught (an unknown member, a
    conflict) is shown as a page with its message and status, never a 500.
    Refusals of a role keep going to Django's 403 handler.

    Under ``/api/`` it is the other way round: an error Django answers itself, before
    or after any API view (an unknown address: the URL resolver's 404, a 500), would be
    an HTML page; it becomes the API's JSON error with the same status. Answers of the
    API views (already JSON) pass unchanged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith("/api/")
            and not getattr(response, "streaming", False)
            and "json" not in response.get("Content-Type", "")
        ):
            json_response = JsonResponse(
                _api_error_body(response.status_code, response.reason_phrase),
                status=response.status_code,
            )
            for header in ("Allow", "WWW-Authenticate", "Retry-After"):
                if header in response:
                    json_response[header] = response[header]
            return json_response
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied) or not isinstance(exception, MupakaError):
            return None
        if request.path.startswith("/api/"):
            return None
        return render(
            request,
            "core/error.html",
            {"message": exception.message, "status": exception.status},
            status=exception.status,
        )
