"""The activities API over the services: visits/ (with a nested new prospect),
daily-reports/, market-reports/ (API.md), and route-plans/, planned-visits/,
monthly-summaries/, escalations/ with the same rules as their pages."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.customers.models import Customer
from apps.org.api_base import FieldsBuiltOnce, ScopedReadOnlyViewSet, ScopedRelatedField, ScopedViewSet
from apps.org.models import User
from apps.org.roles import Role
from apps.org.scoping import store_ids

from . import selectors, services
from .filters import DailyReportApiFilter, EscalationApiFilter, MarketReportApiFilter, VisitApiFilter
from .models import DailyReport, Escalation, MarketReport, MonthlySummary, PlannedVisit, RoutePlan, Visit
from .services import MARKET_FIELDS

READERS: tuple[str, ...] = (Role.MANAGER, Role.CONSULTANT)
WRITERS: tuple[str, ...] = (
    Role.CONSULTANT,
    Role.MANAGER,
)  # managers only comment; the views check per action


def _user(serializer: serializers.Serializer) -> User:
    return serializer.context["request"].user


class ConsultantField(ScopedRelatedField):
    """A consultant of the caller's stores; the caller himself without a query (the
    usual case: a consultant logging his own visit)."""

    def to_internal_value(self, data: Any) -> Any:
        user = getattr(self.context.get("request"), "user", None)
        if (
            user is not None
            and user.is_authenticated
            and str(data) == str(user.pk)
            and user.role == Role.CONSULTANT
            and (user.is_admin or store_ids(user))
        ):
            return user
        return super().to_internal_value(data)


def _consultant_field() -> ConsultantField:
    return ConsultantField(queryset=User.objects.filter(role=Role.CONSULTANT), required=False)


class _Scoped(FieldsBuiltOnce, serializers.ModelSerializer):
    """Related records offered for writing are only those the caller may see (others: 400)."""

    serializer_related_field = ScopedRelatedField

    def _consultant(self, attrs: dict[str, Any]) -> User:
        me = _user(self)
        chosen = attrs.pop("consultant", None) or me
        if chosen.pk != me.pk and not me.is_admin:
            raise serializers.ValidationError({"consultant": [_("You keep only your own records.")]})
        return chosen


class NewCustomerSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """A prospect registered on the spot, in the visit's store, owned by the consultant."""

    class Meta:
        model = Customer
        fields = ["kind", "name", "mobile", "gender", "birthday", "occupation", "region", "source", "grade"]


class VisitSerializer(_Scoped):
    consultant = _consultant_field()
    new_customer = NewCustomerSerializer(
        write_only=True,
        required=False,
        help_text="Instead of `customer`: register a new prospect with these fields and visit him.",
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
            "new_customer",
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
        extra_kwargs = {"customer": {"required": False}}
        # Rules across fields live in the service (one place for the API and the pages).
        validators: list[Any] = []

    def create(self, validated: dict[str, Any]) -> Visit:
        consultant = self._consultant(validated)
        return services.visit_log(consultant=consultant, **validated)

    def update(self, instance: Visit, validated: dict[str, Any]) -> Visit:
        validated.pop("consultant", None)
        validated.pop("new_customer", None)
        validated.pop("stage", None)
        validated.pop("lost_reason", None)
        return services.visit_update(visit=instance, by=_user(self), **validated)


class DailyReportSerializer(_Scoped):
    consultant = _consultant_field()
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
    consultant = _consultant_field()
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

    def perform_create(self, serializer: Any) -> None:
        # The service returns the whole row (the list annotates nothing), so the answer
        # is made from it rather than from a second read.
        self._only_consultants()
        serializer.save()

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


# ---------------------------------------------------------------- route plans


class PlannedVisitSerializer(_Scoped):
    """A stop of a week's route plan. POST needs only `date` and `customer`: the
    consultant's plan of that week is found or made (`plan` is optional)."""

    done = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = PlannedVisit
        fields = ["id", "plan", "date", "customer", "purpose", "done"]
        extra_kwargs = {"plan": {"required": False}}
        validators: list[Any] = []

    def create(self, validated: dict[str, Any]) -> PlannedVisit:
        me = _user(self)
        plan = validated.pop("plan", None) or services.route_plan_get_or_create(
            consultant=me, week_start=validated["date"]
        )
        return services.planned_visit_add(plan=plan, by=me, **validated)


class RoutePlanSerializer(_Scoped):
    stops = serializers.SerializerMethodField()
    planned = serializers.IntegerField(read_only=True)
    done = serializers.IntegerField(read_only=True)

    class Meta:
        model = RoutePlan
        fields = ["id", "store", "consultant", "week_start", "note", "stops", "planned", "done", "created_at"]
        read_only_fields = ["store", "consultant", "note", "created_at"]
        validators: list[Any] = []

    def get_stops(self, plan: RoutePlan) -> list[dict[str, Any]]:
        return PlannedVisitSerializer(plan.stops.all(), many=True).data  # type: ignore[return-value]

    def create(self, validated: dict[str, Any]) -> RoutePlan:
        """The consultant's plan of the week containing `week_start` (made once)."""
        return services.route_plan_get_or_create(consultant=_user(self), week_start=validated["week_start"])


class RoutePlanViewSet(_ConsultantWrites):
    """Weekly route plans; a manager reads his consultants' plans with their adherence."""

    queryset = RoutePlan.objects.select_related("consultant")
    serializer_class = RoutePlanSerializer
    filterset_fields = ["consultant", "week_start"]
    ordering_fields = ["week_start", "id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[RoutePlan]:
        stops = selectors.stops_with_done(PlannedVisit.objects.order_by("date", "pk"))
        return selectors.with_adherence(super().get_queryset()).prefetch_related(Prefetch("stops", stops))


class PlannedVisitViewSet(_ConsultantWrites):
    queryset = PlannedVisit.objects.select_related("plan")
    serializer_class = PlannedVisitSerializer
    filterset_fields = ["plan", "date", "customer"]
    ordering_fields = ["date", "id"]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[PlannedVisit]:
        return selectors.stops_with_done(super().get_queryset())

    def perform_destroy(self, instance: PlannedVisit) -> None:
        self._only_consultants()
        services.planned_visit_remove(stop=instance, by=self.request.user)  # type: ignore[arg-type]


# ---------------------------------------------------------------- monthly summaries


class MonthlySummarySerializer(_Scoped):
    consultant: Any = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = MonthlySummary
        fields = [
            "id",
            "store",
            "consultant",
            "month",
            "summary",
            "key_points",
            "manager_comment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["store", "manager_comment", "created_at", "updated_at"]
        validators: list[Any] = []

    def create(self, validated: dict[str, Any]) -> MonthlySummary:
        """One summary per consultant and month: posting the month again rewrites it."""
        return services.monthly_summary_save(consultant=_user(self), **validated)

    def update(self, instance: MonthlySummary, validated: dict[str, Any]) -> MonthlySummary:
        if _user(self).pk != instance.consultant_id:
            raise PermissionDenied
        if validated.get("month", instance.month).replace(day=1) != instance.month:
            raise serializers.ValidationError({"month": [_("The month of a summary cannot change.")]})
        return services.monthly_summary_save(
            consultant=instance.consultant,
            month=instance.month,
            summary=validated.get("summary", instance.summary),
            key_points=validated.get("key_points", instance.key_points),
        )


class CommentSerializer(serializers.Serializer):
    manager_comment = serializers.CharField()


class MonthlySummaryViewSet(_ConsultantWrites):
    queryset = MonthlySummary.objects.select_related("consultant")
    serializer_class = MonthlySummarySerializer
    filterset_fields = ["consultant", "month"]
    ordering_fields = ["month", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(request=CommentSerializer, responses=MonthlySummarySerializer)
    @action(detail=True, methods=["post"])
    def comment(self, request: Request, pk: str | None = None) -> Response:
        """The store manager's comment: {"manager_comment": "..."}."""
        summary = self.get_object()
        if not request.user.has_role(Role.MANAGER):  # type: ignore[union-attr]
            raise PermissionDenied
        services.monthly_summary_comment(
            summary=summary,
            by=request.user,  # type: ignore[arg-type]
            comment=str(request.data.get("manager_comment", "")),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=summary.pk)).data)


# ---------------------------------------------------------------- escalations


class EscalationSerializer(serializers.ModelSerializer):
    hours_to_answer = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "store",
            "raised_by",
            "assigned_to",
            "report",
            "question",
            "answer",
            "raised_at",
            "answered_at",
            "answered_by",
            "hours_to_answer",
        ]
        read_only_fields = fields


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()


class EscalationViewSet(ScopedReadOnlyViewSet):
    """Problems raised by daily reports (made there, never posted); a manager answers."""

    read_roles = READERS
    write_roles = (Role.MANAGER,)
    queryset = Escalation.objects.all()
    serializer_class = EscalationSerializer
    filterset_class = EscalationApiFilter
    ordering_fields = ["raised_at", "answered_at", "id"]

    @extend_schema(request=AnswerSerializer, responses=EscalationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """The store manager answers: {"answer": "..."}."""
        escalation = self.get_object()
        services.escalation_answer(
            escalation=escalation,
            by=request.user,  # type: ignore[arg-type]
            answer=str(request.data.get("answer", "")),
        )
        return Response(self.get_serializer(escalation).data)
