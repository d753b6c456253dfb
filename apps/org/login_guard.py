"""Protection of the three doors that take a password: the login page, the admin and
the token endpoint.

- django-axes locks a *username* after AXES_FAILURE_LIMIT wrong passwords, for
  AXES_COOLOFF_TIME. It never locks an address: a store's staff share one office
  address, and one guesser there must not lock the whole store out.
- An address that fails for many different usernames (password spraying) is
  throttled instead: one attempt every LOGIN_THROTTLE_SECONDS until its failures
  age out. A colleague at the same address still gets in, a little later.
- API tokens expire after TOKEN_TTL_DAYS and die with a password change or a
  deactivation (see receivers below and apps.org.authentication).
"""

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

# The URL names of the doors that take a password.
DOORS = {"login", "admin:login", "api-token"}


def _client_ip(request: HttpRequest) -> str:
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")


def _is_door(request: HttpRequest) -> bool:
    """A POST to a door; asked once the handler has resolved the URL (resolving it again
    here cost every POST of the API about a millisecond, issue 13)."""
    match = getattr(request, "resolver_match", None)
    return request.method == "POST" and match is not None and match.view_name in DOORS


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def lockout_response(request: HttpRequest, original: Any = None, credentials: Any = None) -> HttpResponse:
    """What a locked-out username sees (AXES_LOCKOUT_CALLABLE): a clear message, 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many wrong passwords for this username. It is locked for %(minutes)d minutes; "
        "try again later or ask your manager to reset your password."
    ) % {"minutes": minutes}
    return _refusal(request, message, settings.AXES_COOLOFF_TIME.total_seconds())


def _refusal(request: HttpRequest, message: str, retry_after: float) -> HttpResponse:
    response: HttpResponse
    if _is_api(request):
        response = JsonResponse({"detail": message}, status=429)
    else:
        from django.contrib.admin.forms import AdminAuthenticationForm
        from django.contrib.auth.forms import AuthenticationForm

        admin = request.path_info.startswith("/admin/")
        form = (AdminAuthenticationForm if admin else AuthenticationForm)(request)
        response = render(
            request,
            "registration/login.html",
            {"form": form, "locked_out": message, "next": request.POST.get("next", "")},
            status=429,
        )
    response["Retry-After"] = str(int(retry_after))
    return response


def _key(ip: str) -> str:
    return f"login-guard:{ip}"


def record_failure(ip: str, username: str) -> None:
    """Remember which usernames failed from this address (a window that slides)."""
    try:
        names = set(cache.get(_key(ip)) or ())
        names.add((username or "")[:150])
        cache.set(_key(ip), sorted(names), settings.LOGIN_THROTTLE_WINDOW)
    except Exception:  # the cache (Redis) is down: never stop people logging in
        log.warning("Login guard: the cache is unavailable; failure not recorded", exc_info=True)


def _throttled(ip: str) -> bool:
    """True when the address is spraying and made an attempt less than a throttle step ago."""
    try:
        if len(cache.get(_key(ip)) or ()) < settings.LOGIN_THROTTLE_USERNAMES:
            return False
        # add() succeeds only when no attempt was made in the last step.
        return not cache.add(f"{_key(ip)}:step", 1, settings.LOGIN_THROTTLE_SECONDS)
    except Exception:
        log.warning("Login guard: the cache is unavailable; not throttling", exc_info=True)
        return False


class LoginThrottleMiddleware:
    """Throttles a password door for an address that failed for many usernames."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        if _is_door(request) and _throttled(_client_ip(request)):
            message = _(
                "Too many sign-in attempts for different users from your network. "
                "Wait %(seconds)d seconds and try again."
            ) % {"seconds": settings.LOGIN_THROTTLE_SECONDS}
            return _refusal(request, message, settings.LOGIN_THROTTLE_SECONDS)
        return None


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if request is not None:
        request = getattr(request, "_request", request)  # REST framework's wrapper
        record_failure(_client_ip(request), str(credentials.get("username", "")))
