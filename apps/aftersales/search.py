"""Vehicles in the global search (apps/org/search.py): by VIN (whole or its last six
characters) or by plate."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.org.scoping import visible
from apps.org.search import SearchSource

from .models import Vehicle
from .timeline import VEHICLE_READERS


def match_query(q: str) -> Q | None:
    compact = q.replace(" ", "")
    if len(compact) < 3:
        return None
    return Q(vin__contains=compact.upper()) | Q(plate__icontains=compact)


SEARCH = [
    SearchSource(
        kind="vehicle",
        label=_("Vehicles"),
        icon="car-front",
        rows=lambda user: visible(Vehicle.objects.select_related("customer", "vehicle_model"), user),
        match=match_query,
        title=lambda v: f"{v.plate or v.vin} · {v.vehicle_model}",
        subtitle=lambda v: f"{v.vin} · {v.customer}",
        url=lambda v: reverse("aftersales:vehicle", args=[v.pk]),
        roles=VEHICLE_READERS,
        order=20,
    ),
]
