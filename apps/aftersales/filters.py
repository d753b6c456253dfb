import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.org.filters import DateFilter, OrderingFilter

from .models import (
    Category,
    Complaint,
    ComplaintStatus,
    FollowUp,
    RuleCode,
    ServiceKind,
    ServiceVisit,
    Severity,
    Vehicle,
)


class VehicleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("VIN, plate or owner"))
    due_before = DateFilter(
        field_name="next_service_due",
        lookup_expr="lte",
        label=_("Service due by"),
    )
    ordering = OrderingFilter(
        fields=["delivered_on", "next_service_due", "last_mileage"],
        field_labels={
            "delivered_on": _("Delivered"),
            "next_service_due": _("Service due"),
            "last_mileage": _("Mileage"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Vehicle
        fields = ["q"]

    def search(self, qs: QuerySet[Vehicle], name: str, value: str) -> QuerySet[Vehicle]:
        return qs.filter(
            Q(vin__icontains=value)
            | Q(plate__icontains=value)
            | Q(customer__name__icontains=value)
            | Q(customer__mobile__contains=value)
        )


class ServiceVisitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("VIN or plate"))
    kind = django_filters.ChoiceFilter(choices=ServiceKind.choices, label=_("Kind"))
    date_from = DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    ordering = OrderingFilter(
        fields=["date", "mileage", "amount"],
        field_labels={"date": _("Date"), "mileage": _("Mileage"), "amount": _("Amount")},
        label=_("Sort by"),
    )

    class Meta:
        model = ServiceVisit
        fields = ["kind"]

    def search(self, qs: QuerySet[ServiceVisit], name: str, value: str) -> QuerySet[ServiceVisit]:
        return qs.filter(Q(vehicle__vin__icontains=value) | Q(vehicle__plate__icontains=value))


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ComplaintStatus.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    opened_from = DateFilter(field_name="opened_at__date", lookup_expr="gte", label=_("From"))
    opened_to = DateFilter(field_name="opened_at__date", lookup_expr="lte", label=_("To"))
    ordering = OrderingFilter(
        fields=["opened_at", "severity", "status"],
        field_labels={"opened_at": _("Opened"), "severity": _("Severity"), "status": _("Status")},
        label=_("Sort by"),
    )

    class Meta:
        model = Complaint
        fields = ["status", "category", "severity"]


class QueueFilter(django_filters.FilterSet):
    """The callback queue: by customer (name, mobile, plate), kind of call, overdue only."""

    q = django_filters.CharFilter(method="search", label=_("Customer, mobile or plate"))
    rule = django_filters.ChoiceFilter(choices=RuleCode.choices, label=_("Task"))
    overdue = django_filters.BooleanFilter(
        method="only_overdue", label=_("Overdue only"), widget=forms.CheckboxInput
    )

    class Meta:
        model = FollowUp
        fields = ["rule"]

    def search(self, qs: QuerySet[FollowUp], name: str, value: str) -> QuerySet[FollowUp]:
        return qs.filter(
            Q(customer__name__icontains=value) | Q(customer__mobile=value) | Q(vehicle__plate__iexact=value)
        )

    def only_overdue(self, qs: QuerySet[FollowUp], name: str, value: bool) -> QuerySet[FollowUp]:
        # action_on: the annotation of selectors.queue (the next attempt, else the due date)
        return qs.filter(action_on__lt=timezone.localdate()) if value else qs  # type: ignore[misc]
