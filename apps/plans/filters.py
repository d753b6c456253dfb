from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.org.filters import visible_stores
from apps.org.models import User
from apps.org.roles import Role
from apps.org.scoping import store_ids

from .models import ActionPlan, Plan, PlanStatus


def _consultants(request: Any) -> QuerySet[User]:
    """Only the consultants of the user's stores (a consultant: himself)."""
    if request is None:
        return User.objects.none()
    user = request.user
    qs = User.objects.filter(role=Role.CONSULTANT, stores__in=store_ids(user)).distinct()
    return qs if user.is_admin or user.is_store_wide else qs.filter(pk=user.pk)


class PlanFilter(django_filters.FilterSet):
    store = django_filters.ModelChoiceFilter(queryset=visible_stores, label=_("Store"))
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("Status"))

    class Meta:
        model = Plan
        fields = ["store", "year", "status"]


class ActionPlanFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ActionPlan.Kind.choices, label=_("Kind"))
    consultant = django_filters.ModelChoiceFilter(queryset=_consultants, label=_("Consultant"))
    commented = django_filters.ChoiceFilter(
        method="by_comment",
        choices=[("yes", _("yes")), ("no", _("no"))],
        label=_("Commented"),
    )

    class Meta:
        model = ActionPlan
        fields = ["kind", "consultant"]

    def by_comment(self, qs: QuerySet[ActionPlan], name: str, value: str) -> QuerySet[ActionPlan]:
        return qs.filter(commented_at__isnull=value != "yes")
