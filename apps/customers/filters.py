import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.org.filters import OrderingFilter

from .models import Customer, Grade, Opportunity, Source, Stage, Status


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("Grade"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("Source"))
    ordering = OrderingFilter(
        fields=["name", "grade", "next_follow_up", "created_at"],
        field_labels={
            "name": _("Name"),
            "grade": _("Grade"),
            "next_follow_up": _("Next follow-up"),
            "created_at": _("Created"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Customer
        fields = ["grade", "status", "source"]

    def search(self, qs: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return qs.filter(Q(name__icontains=value) | Q(mobile__contains=value))


class OpportunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"))

    class Meta:
        model = Opportunity
        fields = ["stage"]

    def search(self, qs: QuerySet[Opportunity], name: str, value: str) -> QuerySet[Opportunity]:
        return qs.filter(Q(customer__name__icontains=value) | Q(customer__mobile__contains=value))
