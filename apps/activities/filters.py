import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.org.filters import DateFilter, MonthFilter
from apps.org.models import User
from apps.org.roles import Role
from apps.org.scoping import store_ids

from .models import Channel, DailyReport, Escalation, MarketReport, MonthlySummary, Visit


def _consultants(request: object) -> QuerySet[User]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return User.objects.none()
    return User.objects.filter(role=Role.CONSULTANT, stores__in=store_ids(user)).distinct()


class VisitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    consultant = django_filters.ModelChoiceFilter(queryset=_consultants, label=_("Consultant"))
    date_from = DateFilter(field_name="started_at__date", lookup_expr="gte", label=_("From"))
    date_to = DateFilter(field_name="started_at__date", lookup_expr="lte", label=_("To"))
    late = django_filters.BooleanFilter(label=_("Entered late"))

    class Meta:
        model = Visit
        fields = ["channel", "consultant", "late"]

    def search(self, qs: QuerySet[Visit], name: str, value: str) -> QuerySet[Visit]:
        return qs.filter(
            Q(customer__name__icontains=value)
            | Q(customer__mobile__contains=value)
            | Q(purpose__icontains=value)
            | Q(result__icontains=value)
        )


class DailyReportFilter(django_filters.FilterSet):
    consultant = django_filters.ModelChoiceFilter(queryset=_consultants, label=_("Consultant"))
    date_from = DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    submitted = django_filters.BooleanFilter(
        field_name="submitted_at", lookup_expr="isnull", exclude=True, label=_("Submitted")
    )

    class Meta:
        model = DailyReport
        fields = ["consultant", "on_time"]


class MarketReportFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    competitor_brand = django_filters.CharFilter(lookup_expr="icontains", label=_("Brand"))
    competitor_model = django_filters.CharFilter(lookup_expr="icontains", label=_("Model"))
    tag = django_filters.CharFilter(method="with_tag", label=_("Tag"))
    date_from = DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    consultant = django_filters.ModelChoiceFilter(queryset=_consultants, label=_("Consultant"))

    class Meta:
        model = MarketReport
        fields = ["competitor_brand", "competitor_model", "consultant"]

    def with_tag(self, qs: QuerySet[MarketReport], name: str, value: str) -> QuerySet[MarketReport]:
        tag = value.strip().lstrip("#").lower()
        return qs.filter(tags__contains=f",{tag},") if tag else qs

    def search(self, qs: QuerySet[MarketReport], name: str, value: str) -> QuerySet[MarketReport]:
        return qs.filter(
            Q(competitor_brand__icontains=value)
            | Q(competitor_model__icontains=value)
            | Q(quality_feedback__icontains=value)
            | Q(trend__icontains=value)
            | Q(customer_needs__icontains=value)
            | Q(dealer_requirements__icontains=value)
            | Q(tags__icontains=value)
        )


class VisitApiFilter(VisitFilter):
    """The API also filters by customer, opportunity and day (ids and dates, no choice lists)."""

    customer = django_filters.NumberFilter(field_name="customer_id")
    opportunity = django_filters.NumberFilter(field_name="opportunity_id")


class DailyReportApiFilter(DailyReportFilter):
    date = DateFilter()


class MarketReportApiFilter(MarketReportFilter):
    date = DateFilter()


class EscalationApiFilter(django_filters.FilterSet):
    answered = django_filters.BooleanFilter(
        field_name="answered_at", lookup_expr="isnull", exclude=True, label=_("Answered")
    )

    class Meta:
        model = Escalation
        fields = ["raised_by", "assigned_to", "answered"]


class MonthlySummaryFilter(django_filters.FilterSet):
    consultant = django_filters.ModelChoiceFilter(queryset=_consultants, label=_("Consultant"))
    month_from = MonthFilter(field_name="month", lookup_expr="gte", label=_("From"))
    month_to = MonthFilter(field_name="month", lookup_expr="lte", label=_("To"))

    class Meta:
        model = MonthlySummary
        fields = ["consultant"]


class EscalationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="question", lookup_expr="icontains", label=_("Search"))
    raised_by = django_filters.ModelChoiceFilter(queryset=_consultants, label=_("Raised by"))

    class Meta:
        model = Escalation
        fields = ["raised_by"]
