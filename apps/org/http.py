"""Small HTTP helpers every app's views share."""

from django.http import HttpRequest, HttpResponseRedirect

from .returning import back


def redirect_back(request: HttpRequest, default: str, *args: object) -> HttpResponseRedirect:
    """Redirect to the form's `next` when it stays on this site, else to `default`.

    `next` comes from the client, so `https://evil.example/` or `//evil.example`
    must never send a user off-site (an open redirect).
    """
    return HttpResponseRedirect(back(request, default, *args))


def record_id(raw: str | None) -> int | None:
    """A record id from a query or form value (`?store=3`), or None when it is none: junk
    (`abc`, `1e3`, `²`, a number beyond any id) names no record, so a view falls back or
    answers 404 as for a missing one instead of failing on it."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None
