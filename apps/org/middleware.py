import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import translation
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class RejectNulMiddleware:
    """A NUL character in a query or form value is a 400 before any view runs.

    PostgreSQL cannot store or compare text with NUL in it, so such a value would
    otherwise fail deep in a query (a 500) wherever a view reads a parameter.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            "\x00" in request.path
            or _has_nul(request.GET)
            or (
                request.method == "POST"
                and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
                and _has_nul(request.POST)
            )
        ):
            return HttpResponseBadRequest(_("The request contains a NUL character."))
        return self.get_response(request)


def _has_nul(params: Any) -> bool:
    return any("\x00" in key or any("\x00" in v for v in params.getlist(key)) for key in params)


class BadInputMiddleware:
    """Last line of defence for pages: bad input that reached the database is a 400.

    Forms and services should refuse such a value with a message first; when one
    slips through (a number beyond the column, a check constraint, a record still in
    use), the user gets a 400 page instead of a 500, and the service's transaction
    has rolled back, so nothing is half-saved.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        from django.db import DataError, IntegrityError
        from django.db.models import ProtectedError

        if isinstance(exc, ProtectedError):
            message = _("Other records still use this one; it cannot be deleted.")
        elif isinstance(exc, DataError | IntegrityError | OverflowError):
            message = _("A value is out of the allowed range.")
        else:
            return None
        log.warning("Bad input reached the database on %s: %s", request.path, exc)
        return HttpResponseBadRequest(message)


class HealthCheckMiddleware:
    """GET /healthz/ → 200 "ok" when the database answers, for the container health check.

    It runs first, before the host check and the HTTPS redirect: the check calls
    http://127.0.0.1:8000/ from inside the container, which is neither an allowed
    host nor HTTPS in production.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz/" and request.method in ("GET", "HEAD"):
            from django.db import connection

            try:
                connection.ensure_connection()
            except Exception:  # noqa: BLE001 — any failure means "not healthy"
                return HttpResponse("database unavailable", status=503, content_type="text/plain")
            return HttpResponse("ok", content_type="text/plain")
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Every response names the browser features the portal never uses (settings.PERMISSIONS_POLICY)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
