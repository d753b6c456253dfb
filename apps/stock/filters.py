from datetime import date

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import VehicleModel

from . import selectors
from .models import Car, CarStatus


class CarFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=CarStatus.choices, label=_("Status"))
    vehicle_model = django_filters.ModelChoiceFilter(
        queryset=VehicleModel.objects.all(), label=_("Vehicle model")
    )
    aging = django_filters.ChoiceFilter(
        choices=[(k, selectors.BUCKET_LABELS[k]) for k, _l, _h in selectors.BUCKETS],
        method="by_aging",
        label=_("Days in stock"),
    )

    class Meta:
        model = Car
        fields = ["status", "vehicle_model"]

    def search(self, qs: QuerySet[Car], name: str, value: str) -> QuerySet[Car]:
        return qs.filter(Q(vin__icontains=value) | Q(colour__icontains=value) | Q(trim__icontains=value))

    def by_aging(self, qs: QuerySet[Car], name: str, value: str) -> QuerySet[Car]:
        today: date = timezone.localdate()
        return qs.filter(selectors.bucket_q(value, today), status__in=selectors.HELD)
