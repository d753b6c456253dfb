"""After saving, the user returns where he came from (the customer file, "My day"):
forms opened from a record carry `next`, kept only when it is a path of this site."""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request: HttpRequest) -> str:
    """The `next` of the request (GET or POST) when it is a path of this site, else "".

    A path, not any relative value: `redirect("satisfaction")` would look the word up
    as a view name and fail (a 500)."""
    raw = request.POST.get("next") or request.GET.get("next") or ""
    if raw.startswith("/") and url_has_allowed_host_and_scheme(
        raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return raw
    return ""


def back(request: HttpRequest, default: Any, *args: Any) -> str:
    """Where to redirect after a save: the safe `next`, else the default view."""
    return next_url(request) or resolve_url(default, *args)
