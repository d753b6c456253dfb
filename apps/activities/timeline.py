"""The activities app's events on a customer's timeline (see apps/org/timeline.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.org.roles import Role
from apps.org.scoping import visible
from apps.org.timeline import CustomerAction, EventSource, truthy

from .models import Channel, Visit


def _visit_title(a: list[str | None]) -> str:
    text = _("Visit (%(channel)s, %(minutes)s min)") % {
        "channel": dict(Channel.choices).get(a[0] or "", a[0]),
        "minutes": a[2] or 0,
    }
    if a[3]:
        text += f": {a[3]}"
    if truthy(a[1]):
        text += " · " + _("entered late")
    return text


SOURCES = [
    EventSource(
        kind="visit",
        icon="geo-alt",
        label=gettext_lazy("Visits"),
        rows=lambda user: visible(Visit.objects.all(), user),
        customer="customer_id",
        at="started_at",
        by="consultant",
        args=("channel", "late", "minutes", "purpose"),
        title=_visit_title,
        url=lambda pk, a: reverse("activities:visit_edit", args=[pk]),
        roles=(Role.MANAGER, Role.CONSULTANT),
    ),
]

ACTIONS = [
    CustomerAction(
        key="visit",
        label=gettext_lazy("Log a visit"),
        icon="geo-alt",
        roles=(Role.CONSULTANT,),
        url=lambda pk: reverse("activities:visit_new") + f"?customer={pk}",
        order=10,
    ),
]
