"""Orders in the global search (apps/org/search.py): by number (123 or #123) or VIN."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.org.scoping import visible
from apps.org.search import SearchSource

from .models import Order
from .timeline import READERS


def match_query(q: str) -> Q | None:
    compact = q.replace(" ", "").lstrip("#")
    found = Q(pk=int(compact)) if compact.isdigit() and len(compact) <= 9 else Q(pk__in=[])
    if len(compact) >= 4 and compact.isalnum():
        found |= Q(vin__contains=compact.upper())
    return found


SEARCH = [
    SearchSource(
        kind="order",
        label=_("Orders"),
        icon="receipt",
        rows=lambda user: visible(Order.objects.select_related("customer", "vehicle_model"), user),
        match=match_query,
        title=lambda o: f"#{o.pk} {o.customer}",
        subtitle=lambda o: " · ".join(
            str(x) for x in (o.vehicle_model, o.vin or "—", o.get_status_display(), o.order_date)
        ),
        url=lambda o: reverse("sales:order_detail", args=[o.pk]),
        roles=READERS,
        order=30,
    ),
]
