"""Customers in the global search (apps/org/search.py): by name, or by mobile, whole,
partial or its last four digits."""

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.org.roles import Role
from apps.org.scoping import visible
from apps.org.search import SearchSource

from .models import Customer


def match_query(q: str) -> Q:
    if q.isdigit():
        return Q(mobile__contains=q)
    return Q(name__icontains=q)


SEARCH = [
    SearchSource(
        kind="customer",
        label=_("Customers"),
        icon="person",
        rows=lambda user: visible(Customer.objects.select_related("store", "owner"), user).order_by(
            F("last_contact_at").desc(nulls_last=True), "-pk"
        ),
        match=match_query,
        title=lambda c: c.name,
        subtitle=lambda c: " · ".join(str(x) for x in (c.mobile, c.store, c.owner or _("Public pool"))),
        url=lambda c: reverse("customers:detail", args=[c.pk]),
        roles=(
            Role.MANAGER,
            Role.CONSULTANT,
            Role.CUSTOMER_SERVICE,
            Role.SERVICE_ADVISOR,
            Role.MARKETING,
            Role.FINANCE,
        ),
        order=10,
    ),
]
