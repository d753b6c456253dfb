import django_filters
from django.utils.translation import gettext_lazy as _

from .models import ActionPlan, Plan, PlanStatus


class PlanFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("Status"))

    class Meta:
        model = Plan
        fields = ["store", "year", "status"]


class ActionPlanFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ActionPlan.Kind.choices, label=_("Kind"))
    commented = django_filters.BooleanFilter(
        field_name="commented_at", lookup_expr="isnull", exclude=True, label=_("Commented")
    )

    class Meta:
        model = ActionPlan
        fields = ["kind", "consultant"]
