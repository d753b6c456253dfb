"""The day list and the ladder settings."""

from datetime import date, timedelta
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from apps.aftersales.models import Department
from apps.org.forms import add_service_error
from apps.org.http import record_id
from apps.org.models import Store, User
from apps.org.permissions import role_required
from apps.org.roles import Role
from apps.org.scoping import visible

from . import selectors, services
from .forms import SettingsForm
from .models import DepartmentHead


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


@role_required(Role.CONSULTANT, Role.MANAGER, Role.FINANCE)
def day(request: HttpRequest) -> HttpResponse:
    context = selectors.day_list(_me(request))
    if _me(request).has_role(Role.MANAGER):
        today = context["today"]
        stores = visible(Store.objects.all(), _me(request)).values("pk")
        context["breaches"] = selectors.complaint_breaches(stores, today.replace(day=1), today)
    context["stale_after"] = timezone.now() - timedelta(days=3)
    return render(request, "escalations/day.html", context)


@role_required(Role.MANAGER)
def settings_edit(request: HttpRequest) -> HttpResponse:
    stores = visible(Store.objects.all(), _me(request))
    store = stores.filter(pk=record_id(request.GET.get("store")) or 0).first() or stores.first()
    if store is None:
        return redirect("home")
    heads = dict(DepartmentHead.objects.filter(store=store).values_list("department", "user_id"))
    current = services.settings_for(store)
    form = SettingsForm(request.POST or None, instance=current, store=store, heads=heads)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        head_values = {code: data.pop(f"head_{code}", None) for code, _label in Department.choices}
        try:
            services.settings_save(store=store, **data)
            for code, user in head_values.items():
                services.department_head_set(store=store, department=code, user=user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Escalation ladders saved."))
            return redirect(f"{request.path}?store={store.pk}")
    return render(request, "escalations/settings.html", {"form": form, "store": store, "stores": stores})


@role_required(Role.CUSTOMER_SERVICE, Role.MANAGER)
def breaches(request: HttpRequest) -> HttpResponse:
    """htmx fragment for the after-sales KPI page (which may not read this app): the
    complaint rungs climbed in the period, per rung, for the user's stores."""
    today = timezone.localdate()
    start = _date(request.GET.get("start")) or today - timedelta(days=29)
    end = _date(request.GET.get("end")) or today
    if end < start:
        start, end = end, start
    stores = visible(Store.objects.all(), _me(request)).values("pk")
    figures = selectors.complaint_breaches(stores, start, end)
    return render(
        request, "escalations/_breaches.html", {"breaches": figures, "total": sum(figures.values())}
    )


def _date(raw: str | None) -> date | None:
    try:
        return parse_date(raw or "")
    except ValueError:
        return None
