"""The after-sales app's events on a customer's timeline (see apps/org/timeline.py)."""

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.org.roles import Role
from apps.org.scoping import visible
from apps.org.timeline import CustomerAction, DateAt, EventSource

from .models import (
    Category,
    Complaint,
    ComplaintStatus,
    FollowUp,
    Message,
    MessageStatus,
    Outcome,
    RuleCode,
    ServiceKind,
    ServiceVisit,
    Severity,
    Vehicle,
)

CS = (Role.CUSTOMER_SERVICE, Role.MANAGER)
VEHICLE_READERS = (Role.CUSTOMER_SERVICE, Role.MANAGER, Role.SERVICE_ADVISOR, Role.CONSULTANT)
COMPLAINTS = (Role.CUSTOMER_SERVICE, Role.MANAGER, Role.SERVICE_ADVISOR)


def _label(choices: Any, value: str | None) -> str:
    return str(dict(choices).get(value or "", value or ""))


def _call_title(a: list[str | None]) -> str:
    text = _("Call (%(rule)s): %(outcome)s") % {
        "rule": _label(RuleCode.choices, a[0]),
        "outcome": _label(Outcome.choices, a[1]),
    }
    if a[2]:
        text += " · " + _("satisfaction %(n)s/5") % {"n": a[2]}
    return text


SOURCES = [
    EventSource(
        kind="vehicle",
        icon="car-front",
        label=gettext_lazy("Cars"),
        rows=lambda user: visible(Vehicle.objects.all(), user),
        customer="customer_id",
        at=DateAt("delivered_on"),
        args=("vehicle_model__name", "plate", "vin"),
        title=lambda a: (
            _("Car handed over: %(model)s %(plate)s (VIN %(vin)s)")
            % {"model": a[0], "plate": a[1] or "", "vin": a[2]}
        ),
        url=lambda pk, a: reverse("aftersales:vehicle", args=[pk]),
        roles=VEHICLE_READERS,
    ),
    EventSource(
        kind="service",
        icon="tools",
        label=gettext_lazy("Service visits"),
        rows=lambda user: visible(ServiceVisit.objects.all(), user),
        customer="vehicle__customer_id",
        at=DateAt("date"),
        by="advisor",
        args=("kind", "mileage", "vehicle__plate", "vehicle_id"),
        title=lambda a: (
            _("Service visit (%(kind)s) at %(km)s km, %(car)s")
            % {"kind": _label(ServiceKind.choices, a[0]), "km": a[1], "car": a[2] or ""}
        ),
        url=lambda pk, a: reverse("aftersales:vehicle", args=[int(a[3] or 0)]),
        roles=VEHICLE_READERS,
    ),
    EventSource(
        kind="call",
        icon="telephone",
        label=gettext_lazy("Calls"),
        rows=lambda user: visible(FollowUp.objects.all(), user),
        customer="customer_id",
        at="completed_at",
        by="assignee",
        args=("rule", "outcome", "satisfaction"),
        where=Q(completed_at__isnull=False) & ~Q(outcome=""),
        title=_call_title,
        url=lambda pk, a: reverse("aftersales:followup", args=[pk]),
        roles=CS,
    ),
    EventSource(
        kind="complaint",
        icon="exclamation-triangle",
        label=gettext_lazy("Complaints"),
        rows=lambda user: visible(Complaint.objects.all(), user),
        customer="customer_id",
        at="opened_at",
        by="owner",
        args=("category", "severity", "status"),
        title=lambda a: (
            _("Complaint (%(severity)s): %(category)s — %(status)s")
            % {
                "severity": _label(Severity.choices, a[1]),
                "category": _label(Category.choices, a[0]),
                "status": _label(ComplaintStatus.choices, a[2]),
            }
        ),
        url=lambda pk, a: reverse("aftersales:complaint", args=[pk]),
        roles=COMPLAINTS,
    ),
    EventSource(
        kind="message",
        icon="chat-dots",
        label=gettext_lazy("Messages"),
        rows=lambda user: visible(Message.objects.filter(status=MessageStatus.SENT), user),
        customer="customer_id",
        at="sent_at",
        args=("body", "followup_id"),
        where=Q(sent_at__isnull=False),
        title=lambda a: _("SMS sent: %(text)s") % {"text": (a[0] or "")[:80]},
        url=lambda pk, a: reverse("aftersales:followup", args=[int(a[1])]) if a[1] else None,
        roles=CS,
    ),
]

ACTIONS = [
    CustomerAction(
        key="service",
        label=gettext_lazy("New service visit"),
        icon="tools",
        roles=(Role.SERVICE_ADVISOR, Role.MANAGER),
        url=lambda pk: reverse("aftersales:visit_create") + f"?customer={pk}",
        order=50,
    ),
    CustomerAction(
        key="complaint",
        label=gettext_lazy("Raise a complaint"),
        icon="exclamation-triangle",
        roles=(Role.CUSTOMER_SERVICE, Role.MANAGER),
        url=lambda pk: reverse("aftersales:complaint_create") + f"?customer={pk}",
        order=60,
    ),
]
