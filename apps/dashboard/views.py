from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.org.models import Store
from apps.org.permissions import role_required
from apps.org.roles import Role
from apps.org.scoping import visible

from . import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.MANAGER:  # type: ignore[union-attr]
        return manager(request)  # a manager's home is his store's dashboard
    context = {"stores": user.stores.all(), **selectors.home(user)}  # type: ignore[union-attr, arg-type]
    return render(request, "dashboard/home.html", context)


@role_required(Role.ADMIN)
def status(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/status.html", selectors.system_status())


@role_required(Role.MANAGER)
def manager(request: HttpRequest) -> HttpResponse:
    stores = visible(Store.objects.all(), request.user)
    store = stores.filter(pk=request.GET.get("store") or 0).first() or stores.first()
    if store is None:
        raise Http404
    data = selectors.manager_dashboard(user=request.user, store=store, today=timezone.localdate())  # type: ignore[arg-type]
    charts = {
        "funnel_chart": {
            "labels": [s.label for s in data["funnel"]],
            "values": [s.reached for s in data["funnel"]],
        },
        "aging_chart": {
            "labels": [_("current"), "1–30", "31–60", "61–90", ">90"],
            "values": [float(data["aging"][k]) for k in ("current", "d1_30", "d31_60", "d61_90", "d90")],
        },
        "grades_chart": {"labels": [g[0] for g in data["grades"]], "values": [g[2] for g in data["grades"]]},
    }
    return render(request, "dashboard/manager.html", {**data, **charts, "stores": stores})
