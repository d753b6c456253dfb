"""Appointment pages. Thin: scope → form → service/selector → template."""

from datetime import date, timedelta
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.org.forms import add_service_error
from apps.org.http import record_id, redirect_back
from apps.org.models import Store, User
from apps.org.permissions import role_required
from apps.org.roles import Role
from apps.org.scoping import get_visible_or_404, visible

from . import selectors, services
from .forms import AppointmentForm, CancelForm, RescheduleForm
from .models import Appointment

C, M, S, CS = Role.CONSULTANT, Role.MANAGER, Role.APPOINTMENT_SPECIALIST, Role.CUSTOMER_SERVICE
USERS = (C, M, S, CS)
DESK = services.DESK_ROLES


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def _day(value: str | None, default: date) -> date:
    try:
        return (parse_date(value) if value else None) or default
    except ValueError:
        return default


def _back(request: HttpRequest, default: str) -> HttpResponse:
    return redirect_back(request, default)


@role_required(*USERS)
def index(request: HttpRequest) -> HttpResponse:
    """Upcoming appointments: a consultant's own, the store's for the desk and the manager."""
    today = timezone.localdate()
    day = _day(request.GET.get("day"), today)
    rows = list(selectors.for_user(_me(request)).filter(day__gte=day, day__lte=day + timedelta(days=6)))
    days = [
        {"date": day + timedelta(days=i), "rows": [r for r in rows if r.day == day + timedelta(days=i)]}
        for i in range(7)
    ]
    return render(
        request,
        "appointments/index.html",
        {
            "days": days,
            "day": day,
            "prev": day - timedelta(days=7),
            "next": day + timedelta(days=7),
            "today": today,
        },
    )


@role_required(*USERS)
def new(request: HttpRequest) -> HttpResponse:
    form = AppointmentForm(request.POST or None, user=_me(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            item = services.appointment_create(by=_me(request), **data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Appointment made for %(day)s.") % {"day": item.day.isoformat()})
            return redirect(f"/appointments/?day={item.day.isoformat()}")
    return render(request, "appointments/form.html", {"form": form})


@role_required(*DESK)
def calls(request: HttpRequest) -> HttpResponse:
    """The specialist's call list: tomorrow's appointments (or ?day=) to confirm by phone."""
    day = _day(request.GET.get("day"), timezone.localdate() + timedelta(days=1))
    rows = list(selectors.call_list(_me(request), day))
    return render(
        request,
        "appointments/calls.html",
        {
            "rows": rows,
            "day": day,
            "prev": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "to_confirm": sum(1 for r in rows if r.status != "confirmed"),
        },
    )


def _act(request: HttpRequest, pk: int, action: Any) -> HttpResponse:
    item = get_visible_or_404(Appointment.objects.all(), _me(request), pk=pk)
    try:
        action(item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(request, f"/appointments/?day={item.day.isoformat()}")


@require_POST
@role_required(*USERS)
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _act(
        request, pk, lambda a: services.appointment_confirm(appointment=a, by=_me(request), note=note)
    )


@require_POST
@role_required(*USERS)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    form = CancelForm(request.POST)
    reason = form.data.get("reason", "") if not form.is_valid() else form.cleaned_data["reason"]
    return _act(
        request, pk, lambda a: services.appointment_cancel(appointment=a, by=_me(request), reason=reason)
    )


@require_POST
@role_required(*USERS)
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new time."))
        return _back(request, "/appointments/")
    data = form.cleaned_data
    return _act(
        request,
        pk,
        lambda a: services.appointment_reschedule(
            appointment=a, by=_me(request), starts_at=data["starts_at"], note=data["note"]
        ),
    )


@role_required(M)
def kpis(request: HttpRequest) -> HttpResponse:
    """Invitations, confirmed rate, arrival rate and no-show rate by consultant and store."""
    today = timezone.localdate()
    try:
        month = date.fromisoformat(f"{request.GET.get('month')}-01") if request.GET.get("month") else None
    except ValueError:
        month = None
    start = month or today.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    stores = visible(Store.objects.all(), _me(request))
    store = stores.filter(pk=record_id(request.GET.get("store")) or 0).first() or stores.first()
    qs = selectors.for_user(_me(request)).filter(store=store)
    prev = (start - timedelta(days=1)).replace(day=1)
    return render(
        request,
        "appointments/kpis.html",
        {
            "store": store,
            "stores": stores,
            "start": start,
            "end": end,
            "prev": prev,
            "next": end + timedelta(days=1),
            "total": selectors.kpis(qs, start, end),
            "rows": selectors.kpis_by_consultant(qs, start, end),
        },
    )
