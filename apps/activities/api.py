"""The activities API (API.md: visits/, daily-reports/, market-reports/) over the services."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.customers.models import Customer, Opportunity
from apps.org.api_base import ScopedViewSet
from apps.org.models import User
from apps.org.roles import Role
from apps.org.scoping import visible
from apps.sales.models import Order

from . import selectors, services
from .filters import DailyReportApiFilter, MarketReportApiFilter, VisitApiFilter
from .models import DailyReport, MarketReport, Visit
from .services import MARKET_FIELDS

READERS: tuple[str, ...] = (Role.MANAGER, Role.CONSULTANT)
WRITERS: tuple[str, ...] = (
    Role.CONSULTANT,
    Role.MANAGER,
)  # managers only comment; the views check per action


def _user(serializer: serializers.Serializer) -> User:
    return serializer.context["request"].user


class _Scoped(serializers.ModelSerializer):
    """Related records offered for writing are only those the caller may see (others: 400)."""

    scoped_fields: dict[str, Any] = {}

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for name, model in self.scoped_fields.items():
            if name in fields and user is not None:
                fields[name].queryset = visible(model.objects.all(), user)  # type: ignore[attr-defined]
        return fields

    def _consultant(self, attrs: dict[str, Any]) -> User:
        me = _user(self)
        chosen = attrs.pop("consultant", None) or me
        if chosen.pk != me.pk and not me.is_admin:
            raise serializers.ValidationError({"consultant": [_("You keep only your own records.")]})
        return chosen


class VisitSerializer(_Scoped):
    scoped_fields = {"customer": Customer, "opportunity": Opportunity, "order": Order}
    consultant = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role=Role.CONSULTANT), required=False
    )
    stage = serializers.CharField(write_only=True, required=False, allow_blank=True)
    lost_reason = serializers.CharField(write_only=True, required=False, allow_blank=True)
    expense = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)

    class Meta:
        model = Visit
        fields = [
            "id",
            "store",
            "consultant",
            "customer",
            "channel",
            "started_at",
            "ended_at",
            "purpose",
            "result",
            "next_step",
            "next_follow_up",
            "expense",
            "opportunity",
            "stage",
            "lost_reason",
            "stage_after",
            "order",
            "minutes",
            "entered_at",
            "late",
        ]
        read_only_fields = ["store", "stage_after", "minutes", "entered_at", "late"]
        # Rules across fields live in the service (one place for the API and the pages).
        validators: list[Any] = []

    def create(self, validated: dict[str, Any]) -> Visit:
        consultant = self._consultant(validated)
        return services.visit_log(consultant=consultant, **validated)

    def update(self, instance: Visit, validated: dict[str, Any]) -> Visit:
        validated.pop("consultant", None)
        validated.pop("stage", None)
        validated.pop("lost_reason", None)
        return services.visit_update(visit=instance, by=_user(self), **validated)


class DailyReportSerializer(_Scoped):
    consultant = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role=Role.CONSULTANT), required=False
    )
    visits_count = serializers.IntegerField(read_only=True)
    orders_count = serializers.IntegerField(read_only=True)
    payments_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    comment_unread = serializers.BooleanField(read_only=True)

    class Meta:
        model = DailyReport
        fields = [
            "id",
            "store",
            "consultant",
            "date",
            "problems",
            "help_needed",
            "market_notes",
            "submitted_at",
            "on_time",
            "visits_count",
            "orders_count",
            "payments_total",
            "manager_comment",
            "commented_at",
            "comment_read_at",
            "comment_unread",
        ]
        read_only_fields = ["store", "on_time", "manager_comment", "commented_at", "comment_read_at"]
        validators: list[Any] = []

    def _save(
        self, consultant: User, day: Any, validated: dict[str, Any], instance: Any = None
    ) -> DailyReport:
        # Writing any submitted_at submits the report; the server's clock stamps it.
        submit = bool(validated.pop("submitted_at", None))
        current = {
            f: validated.get(f, getattr(instance, f, "") if instance else "")
            for f in ("problems", "help_needed", "market_notes")
        }
        return services.daily_report_save(consultant=consultant, date=day, submit=submit, **current)

    def create(self, validated: dict[str, Any]) -> DailyReport:
        consultant = self._consultant(validated)
        return self._save(consultant, validated.pop("date"), validated)

    def update(self, instance: DailyReport, validated: dict[str, Any]) -> DailyReport:
        if _user(self).pk != instance.consultant_id:
            raise PermissionDenied
        validated.pop("consultant", None)
        if validated.pop("date", instance.date) != instance.date:
            raise serializers.ValidationError({"date": [_("The date of a report cannot change.")]})
        return self._save(instance.consultant, instance.date, validated, instance)


class TagsField(serializers.ListField):
    child = serializers.CharField(max_length=30)

    def to_representation(self, value: Any) -> list[str]:
        if isinstance(value, str):
            return [t for t in value.split(",") if t]
        return list(value)


class MarketReportSerializer(_Scoped):
    consultant = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role=Role.CONSULTANT), required=False
    )
    tags = TagsField(required=False)

    class Meta:
        model = MarketReport
        fields = [
            "id",
            "store",
            "consultant",
            *MARKET_FIELDS,
            "created_at",
        ]
        read_only_fields = ["store", "created_at"]

    def create(self, validated: dict[str, Any]) -> MarketReport:
        consultant = self._consultant(validated)
        return services.market_report_save(consultant=consultant, **validated)

    def update(self, instance: MarketReport, validated: dict[str, Any]) -> MarketReport:
        validated.pop("consultant", None)
        return services.market_report_save(consultant=_user(self), instance=instance, **validated)


class _ConsultantWrites(ScopedViewSet):
    """Consultants write their own records; managers read (and comment where offered)."""

    read_roles = READERS
    write_roles = WRITERS

    def _only_consultants(self) -> None:
        user = self.request.user
        if not (user.is_admin or user.role == Role.CONSULTANT):  # type: ignore[union-attr]
            raise PermissionDenied

    def perform_create(self, serializer: Any) -> None:
        self._only_consultants()
        obj = serializer.save()
        serializer.instance = self.get_queryset().get(pk=obj.pk)

    def perform_update(self, serializer: Any) -> None:
        self._only_consultants()
        obj = serializer.save()
        serializer.instance = self.get_queryset().get(pk=obj.pk)


class VisitViewSet(_ConsultantWrites):
    queryset = Visit.objects.select_related("customer").all()
    serializer_class = VisitSerializer
    filterset_class = VisitApiFilter
    ordering_fields = ["started_at", "entered_at", "expense", "id"]

    def perform_destroy(self, instance: Visit) -> None:
        self._only_consultants()
        services.visit_delete(visit=instance, by=self.request.user)  # type: ignore[arg-type]


class DailyReportViewSet(_ConsultantWrites):
    queryset = DailyReport.objects.all()
    serializer_class = DailyReportSerializer
    filterset_class = DailyReportApiFilter
    ordering_fields = ["date", "submitted_at", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[DailyReport]:
        return selectors.with_day_figures(super().get_queryset())

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        services.daily_report_mark_read(report=report, by=request.user)  # type: ignore[arg-type]
        return Response(self.get_serializer(report).data)

    @action(detail=True, methods=["post"])
    def comment(self, request: Request, pk: str | None = None) -> Response:
        """The manager's comment: {"manager_comment": "..."}."""
        report = self.get_object()
        if not request.user.has_role(Role.MANAGER):  # type: ignore[union-attr]
            raise PermissionDenied
        services.daily_report_comment(
            report=report,
            by=request.user,  # type: ignore[arg-type]
            comment=str(request.data.get("manager_comment", "")),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=report.pk)).data)

    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        if request.user.pk != report.consultant_id:
            raise PermissionDenied
        services.daily_report_save(
            consultant=report.consultant,
            date=report.date,
            problems=report.problems,
            help_needed=report.help_needed,
            market_notes=report.market_notes,
            submit=True,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=report.pk)).data)


class MarketReportViewSet(_ConsultantWrites):
    read_roles = (Role.MANAGER, Role.CONSULTANT, Role.MARKETING)
    queryset = MarketReport.objects.all()
    serializer_class = MarketReportSerializer
    filterset_class = MarketReportApiFilter
    ordering_fields = ["date", "transaction_price", "id"]

    def perform_destroy(self, instance: MarketReport) -> None:
        self._only_consultants()
        if instance.consultant_id != self.request.user.pk and not self.request.user.is_admin:  # type: ignore[union-attr]
            raise PermissionDenied
        instance.delete()
