from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.org.permissions import role_required
from apps.org.roles import Role

from . import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {"stores": user.stores.all(), **selectors.home(user)}  # type: ignore[union-attr, arg-type]
    return render(request, "dashboard/home.html", context)


@role_required(Role.ADMIN)
def status(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/status.html", selectors.system_status())
