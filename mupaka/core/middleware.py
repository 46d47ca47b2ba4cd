from django.conf import settings
from django.shortcuts import render
from django.utils import translation

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


class ErrorPageMiddleware:
    """A service refusal that reaches a page view uncaught (an unknown member, a
    conflict) is shown as a page with its message and status, never a 500.
    Refusals of a role keep going to Django's 403 handler."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

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
