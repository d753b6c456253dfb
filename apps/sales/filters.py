import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.org.filters import DateFilter, visible_stores

from . import selectors
from .models import Order, OrderStatus, Payment, PaymentMethod, Receivable, Settlement


class OrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, label=_("Status"))
    settlement = django_filters.ChoiceFilter(choices=Settlement.choices, label=_("Settlement"))
    order_date__gte = DateFilter(field_name="order_date", lookup_expr="gte", label=_("From"))
    order_date__lte = DateFilter(field_name="order_date", lookup_expr="lte", label=_("To"))

    class Meta:
        model = Order
        fields = ["status", "settlement"]

    def search(self, qs: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        return qs.filter(
            Q(customer__name__icontains=value) | Q(vin__icontains=value) | Q(customer__mobile=value)
        )


class PaymentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    method = django_filters.ChoiceFilter(choices=PaymentMethod.choices, label=_("Method"))
    received_on__gte = DateFilter(field_name="received_on", lookup_expr="gte", label=_("From"))
    received_on__lte = DateFilter(field_name="received_on", lookup_expr="lte", label=_("To"))

    class Meta:
        model = Payment
        fields = ["method"]

    def search(self, qs: QuerySet[Payment], name: str, value: str) -> QuerySet[Payment]:
        return qs.filter(Q(customer__name__icontains=value) | Q(customer__mobile=value))


class ReceivableFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    store = django_filters.ModelChoiceFilter(queryset=visible_stores, label=_("Store"))
    bucket = django_filters.ChoiceFilter(
        choices=[(b, pgettext_lazy("aging bucket", b) if b == "current" else b) for b in selectors.BUCKETS],
        method="by_bucket",
        label=_("Aging"),
    )

    class Meta:
        model = Receivable
        fields: list[str] = []

    def search(self, qs: QuerySet[Receivable], name: str, value: str) -> QuerySet[Receivable]:
        return qs.filter(Q(customer__name__icontains=value) | Q(customer__mobile=value))

    def by_bucket(self, qs: QuerySet[Receivable], name: str, value: str) -> QuerySet[Receivable]:
        return qs.filter(selectors.bucket_q(value))
