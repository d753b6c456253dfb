"""The notification list: the signed-in user's own, newest first, unread marked."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.org.models import User

from . import selectors, services
from .models import Preference


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    qs = selectors.inbox(_me(request))
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    pref = Preference.objects.filter(user=_me(request)).first()
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread_only": request.GET.get("unread") == "1", "sms": bool(pref and pref.sms)},
    )


@require_POST
@login_required
def read(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.inbox(_me(request)).filter(pk=pk).first()
    if item is None:
        raise Http404
    services.mark_read(user=_me(request), notification=item)
    target = request.POST.get("next") or ""
    if target == "open" and item.url and url_has_allowed_host_and_scheme(item.url, allowed_hosts=None):
        return redirect(item.url)
    return redirect("notifications:list")


@require_POST
@login_required
def read_all(request: HttpRequest) -> HttpResponse:
    services.mark_read(user=_me(request))
    return redirect("notifications:list")


@require_POST
@login_required
def preference(request: HttpRequest) -> HttpResponse:
    services.preference_save(user=_me(request), sms=request.POST.get("sms") == "on")
    return redirect("notifications:list")
