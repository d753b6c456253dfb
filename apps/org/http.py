"""Small HTTP helpers every app's views share."""

from django.http import HttpRequest, HttpResponseRedirect

from .returning import back


def redirect_back(request: HttpRequest, default: str, *args: object) -> HttpResponseRedirect:
    """Redirect to the form's `next` when it stays on this site, else to `default`.

    `next` comes from the client, so `https://evil.example/` or `//evil.example`
    must never send a user off-site (an open redirect).
    """
    return HttpResponseRedirect(back(request, default, *args))
