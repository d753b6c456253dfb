from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.org.filters import DateFilter
from apps.org.models import Store
from apps.org.scoping import visible

from .models import Topic, TrainingSession


def _stores(request: Any) -> QuerySet[Store]:
    return visible(Store.objects.all(), request.user) if request else Store.objects.none()


class SessionFilter(django_filters.FilterSet):
    store = django_filters.ModelChoiceFilter(queryset=_stores, label=_("Store"))
    topic = django_filters.ChoiceFilter(choices=Topic.choices, label=_("Topic"))
    date_from = DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title contains"))

    class Meta:
        model = TrainingSession
        fields = ["store", "topic"]
