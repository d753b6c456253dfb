"""Small HTTP helpers every app's views share."""

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request: HttpRequest, default: str, *args: object) -> HttpResponseRedirect:
    """Redirect to the form's `next` when it stays on this site, else to `default`.

    `next` comes from the client, so `https://evil.example/` or `//evil.example`
    must never send a user off-site (an open redirect).
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return HttpResponseRedirect(target)
    return redirect(default, *args)
