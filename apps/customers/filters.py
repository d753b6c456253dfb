from datetime import timedelta
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.org.filters import DateFilter, OrderingFilter
from apps.org.models import User
from apps.org.roles import Role
from apps.org.scoping import store_ids

from .models import Campaign, Customer, Grade, Opportunity, Source, Stage, Status


def _owners(request: Any) -> QuerySet[User]:
    """The sales staff of the user's stores (a consultant: himself)."""
    if request is None:
        return User.objects.none()
    user = request.user
    qs = User.objects.filter(
        role__in=[Role.CONSULTANT, Role.MANAGER], stores__in=store_ids(user), is_active=True
    ).distinct()
    return qs.order_by("name") if user.is_admin or user.is_store_wide else qs.filter(pk=user.pk)


FOLLOW_UP = [
    ("overdue", _("Overdue")),
    ("today", _("Due today")),
    ("week", _("Due in the next 7 days")),
    ("none", _("None planned")),
]


class PoolFilter(django_filters.FilterSet):
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


class CustomerFilter(PoolFilter):
    owner = django_filters.ModelChoiceFilter(queryset=_owners, label=_("Owner"))
    follow_up = django_filters.ChoiceFilter(choices=FOLLOW_UP, method="by_follow_up", label=_("Follow-up"))

    class Meta(PoolFilter.Meta):
        pass

    def by_follow_up(self, qs: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        """Follow-ups of live customers (a lost one has none to make)."""
        today = timezone.localdate()
        live = qs.exclude(status="lost")
        week = today + timedelta(days=7)
        return live.filter(
            {
                "overdue": Q(next_follow_up__lt=today),
                "today": Q(next_follow_up=today),
                "week": Q(next_follow_up__gt=today, next_follow_up__lte=week),
                "none": Q(next_follow_up__isnull=True),
            }[value]
        )


class OpportunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"))

    class Meta:
        model = Opportunity
        fields = ["stage"]

    def search(self, qs: QuerySet[Opportunity], name: str, value: str) -> QuerySet[Opportunity]:
        return qs.filter(Q(customer__name__icontains=value) | Q(customer__mobile__contains=value))


class CampaignFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("Channel"))
    starts_on__gte = DateFilter(field_name="starts_on", lookup_expr="gte", label=_("From"))
    starts_on__lte = DateFilter(field_name="starts_on", lookup_expr="lte", label=_("To"))

    class Meta:
        model = Campaign
        fields = ["source"]
