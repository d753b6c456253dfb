import django_filters
from django.utils.translation import gettext_lazy as _

from apps.org.filters import DateFilter, visible_stores

from .models import Topic, TrainingSession


class SessionFilter(django_filters.FilterSet):
    store = django_filters.ModelChoiceFilter(queryset=visible_stores, label=_("Store"))
    topic = django_filters.ChoiceFilter(choices=Topic.choices, label=_("Topic"))
    date_from = DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title contains"))

    class Meta:
        model = TrainingSession
        fields = ["store", "topic"]
