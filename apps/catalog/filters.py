import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.org.filters import OrderingFilter

from .models import BodyType, VehicleModel


class VehicleModelFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    body_type = django_filters.ChoiceFilter(choices=BodyType.choices, label=_("Body type"))
    is_active = django_filters.TypedChoiceFilter(
        choices=[("true", _("yes")), ("false", _("no"))], coerce=lambda v: v == "true", label=_("On sale")
    )
    ordering = OrderingFilter(
        fields=["brand", "name", "body_type", "msrp"],
        field_labels={
            "brand": _("Brand"),
            "name": _("Model"),
            "body_type": _("Body type"),
            "msrp": _("MSRP"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = VehicleModel
        fields = ["brand", "body_type", "is_active"]

    def search(self, qs: QuerySet[VehicleModel], name: str, value: str) -> QuerySet[VehicleModel]:
        return qs.filter(Q(brand__icontains=value) | Q(name__icontains=value))
