"""API: plans/ (with the ro target tree), plans/{id}/break-down/, targets/ (API.md);
weight-sets/, capabilities/, action-plans/ and forecasts/ as on their pages.

Targets are made by breaking a node down, never posted one by one (the tree must stay
consistent), so targets/ answers GET and PATCH of `value` only; POST/PUT/DELETE are 405.
A plan's `status` is written through the workflow services: PATCH {"status": "submitted"}
submits, "approved" approves, "draft" reopens.
"""

from collections import defaultdict
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.org.api_base import ScopedViewSet
from apps.org.models import User
from apps.org.roles import Role
from apps.org.scoping import visible

from . import selectors, services
from .filters import ActionPlanFilter
from .models import (
    INTEGER_MEASURES,
    ActionPlan,
    Capability,
    Forecast,
    Into,
    Method,
    Plan,
    PlanStatus,
    Target,
    WeightSet,
)

READERS = (Role.MANAGER, Role.FINANCE)
TARGET_READERS = (Role.MANAGER, Role.FINANCE, Role.CONSULTANT)
WRITERS = (Role.MANAGER,)


def _value(t: Target) -> Any:
    return int(t.value) if t.measure in INTEGER_MEASURES else f"{t.value:.2f}"


def _num(t: Target, v: Decimal | None) -> Any:
    if v is None:
        return None
    if t.measure in INTEGER_MEASURES:
        # Counts are whole; a run-rate projection of a count may not be.
        return int(v) if v == v.to_integral_value() else round(float(v), 2)
    return f"{v:.2f}"


class TargetSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0))
    actual = serializers.SerializerMethodField()
    achievement = serializers.SerializerMethodField()
    time_elapsed = serializers.SerializerMethodField()
    projection = serializers.SerializerMethodField()
    gap = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "id",
            "plan",
            "parent",
            "period_kind",
            "period_start",
            "period_end",
            "scope_type",
            "scope_id",
            "scope_code",
            "key",
            "label",
            "measure",
            "value",
            "actual",
            "achievement",
            "time_elapsed",
            "gap",
            "projection",
            "status",
        ]
        read_only_fields = [f for f in fields if f != "value"]

    def _t(self, obj: Target) -> selectors.Tracking | None:
        return self.context.get("tracking", {}).get(obj.pk)

    def get_actual(self, obj: Target) -> Any:
        t = self._t(obj)
        return _num(obj, t.actual) if t else None

    def get_achievement(self, obj: Target) -> float | None:
        t = self._t(obj)
        return round(t.achievement, 4) if t and t.achievement is not None else None

    def get_time_elapsed(self, obj: Target) -> float | None:
        t = self._t(obj)
        return round(t.time_elapsed, 4) if t else None

    def get_projection(self, obj: Target) -> Any:
        t = self._t(obj)
        return _num(obj, t.projection) if t else None

    def get_gap(self, obj: Target) -> Any:
        t = self._t(obj)
        return _num(obj, t.gap) if t else None

    def get_status(self, obj: Target) -> str | None:
        t = self._t(obj)
        return t.status if t else None

    def to_representation(self, instance: Target) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.measure in INTEGER_MEASURES:
            data["value"] = int(instance.value)
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # PATCH is partial, but the value is the only thing a target update sets.
        if "value" not in attrs:
            raise serializers.ValidationError({"value": [_("Give the target's value.")]})
        return attrs

    def update(self, instance: Target, validated: dict[str, Any]) -> Target:
        return services.target_set_value(
            target=instance, value=validated["value"], by=self.context["request"].user
        )


def track_targets(targets: list[Target]) -> dict[int, selectors.Tracking]:
    """Tracking for a page of targets: their plans' trees (1 query), then per store the
    team map and one aggregate per measure family — never a query per target."""
    if not targets:
        return {}
    plan_ids = {t.plan_id for t in targets}
    everything = list(Target.objects.filter(plan_id__in=plan_ids).select_related("plan__store"))
    by_store: dict[int, list[Target]] = defaultdict(list)
    for t in everything:
        by_store[t.plan.store_id].append(t)
    wanted = {t.pk for t in targets}
    out: dict[int, selectors.Tracking] = {}
    for group in by_store.values():
        store = group[0].plan.store
        teams = selectors.team_members(store)
        filters = selectors.node_filters(group, teams)
        mine = [t for t in group if t.pk in wanted]
        specs = [selectors.Spec(t.measure, t.period_start, t.period_end, filters[t.pk]) for t in mine]
        today = selectors.timezone.localdate()
        for t, a in zip(mine, selectors.actuals(store, specs), strict=True):
            out[t.pk] = selectors.track(t.value, a, t.period_start, t.period_end, today, t.is_integer)
    return out


class TargetViewSet(ScopedViewSet):
    queryset = Target.objects.all()
    serializer_class = TargetSerializer
    read_roles = TARGET_READERS
    write_roles = WRITERS
    http_method_names = ["get", "patch", "head", "options"]
    filterset_fields = ["plan", "parent", "scope_type", "scope_id", "measure", "period_kind", "period_start"]
    ordering_fields = ["period_start", "measure", "id"]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        rows = list(page if page is not None else qs)
        ser = self.get_serializer(
            rows, many=True, context={**self.get_serializer_context(), "tracking": track_targets(rows)}
        )
        return self.get_paginated_response(ser.data) if page is not None else Response(ser.data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        ctx = {**self.get_serializer_context(), "tracking": track_targets([obj])}
        return Response(self.get_serializer(obj, context=ctx).data)


def _tree(
    nodes: list[selectors.Node] | list[Target], tracking: dict[int, selectors.Tracking] | None
) -> list[dict[str, Any]]:
    ser = TargetSerializer(context={"tracking": tracking or {}})
    out = []
    for n in nodes:
        if isinstance(n, selectors.Node):
            data = ser.to_representation(n.target)
            data["children"] = _tree(n.children, tracking)
        else:
            data = ser.to_representation(n)
            data["children"] = _tree(getattr(n, "_kids", []), tracking)
        out.append(data)
    return out


class PlanSerializer(serializers.ModelSerializer):
    targets = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=PlanStatus.choices, required=False)
    expense_budget = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal(0), required=False
    )

    values = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0)),
        write_only=True,
        required=False,
        help_text='On create: the year\'s target per measure, e.g. {"units": 1000}.',
    )

    class Meta:
        model = Plan
        fields = ["id", "store", "year", "status", "expense_budget", "targets", "values"]

    def get_targets(self, obj: Plan) -> list[dict[str, Any]]:
        if self.context.get("tree") is not None:
            return _tree(self.context["tree"], self.context.get("tracking"))
        # Lists: the tree from the prefetched targets, without tracking (a fixed number of queries).
        targets = list(obj.targets.all())
        kids: dict[int | None, list[Target]] = defaultdict(list)
        for t in targets:
            kids[t.parent_id].append(t)
        for t in targets:
            t._kids = kids.get(t.pk, [])  # type: ignore[attr-defined]
        return _tree(kids[None], None)

    def validate_store(self, store: Any) -> Any:
        if not visible(type(store).objects.filter(pk=store.pk), self.context["request"].user).exists():
            raise serializers.ValidationError("Not one of your stores.")
        return store

    def create(self, validated: dict[str, Any]) -> Plan:
        return services.plan_create(
            store=validated["store"],
            year=validated["year"],
            by=self.context["request"].user,
            values=validated.get("values") or {},
            expense_budget=validated.get("expense_budget", Decimal(0)),
        )

    def update(self, instance: Plan, validated: dict[str, Any]) -> Plan:
        user = self.context["request"].user
        if "expense_budget" in validated:
            instance = services.plan_update(
                plan=instance, by=user, expense_budget=validated["expense_budget"], note=instance.note
            )
        new = validated.get("status")
        if new and new != instance.status:
            if new == PlanStatus.SUBMITTED:
                instance = services.plan_submit(plan=instance, by=user)
            elif new == PlanStatus.APPROVED:
                instance = services.plan_approve(plan=instance, by=user)
            else:
                instance = services.plan_reopen(plan=instance, by=user)
        for field in ("store", "year"):
            if (
                field in validated
                and getattr(instance, field if field == "year" else "store") != validated[field]
            ):
                raise ValidationError({field: ["A plan's store and year cannot change."]})
        return instance


class BreakDownSerializer(serializers.Serializer):
    node = serializers.IntegerField()
    into = serializers.ChoiceField(choices=Into.choices)
    method = serializers.ChoiceField(choices=Method.choices)
    weights = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text=(
            "Child key → weight (API.md). For `into: day` the keys may instead be ISO weekdays "
            '"1" (Monday) … "7"; with `method: weights` and no weights, days follow the '
            "store's working calendar (weekday weights, default Monday–Friday 1, Saturday and "
            "Sunday 1.5). Days are the store's working days: a weekday weighted 0 and closed "
            "dates get no child."
        ),
    )
    weight_set = serializers.IntegerField(required=False, help_text="A WeightSet id, instead of `weights`.")


class PlanViewSet(ScopedViewSet):
    queryset = Plan.objects.select_related("store").prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("measure", "period_start", "position", "pk"))
    )
    serializer_class = PlanSerializer
    read_roles = READERS
    write_roles = WRITERS + (Role.ADMIN,)
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["store", "year", "status"]
    ordering_fields = ["year", "id"]

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        tree = selectors.plan_tree(plan)
        tracking = {n.target.pk: n.tracking for n in _walk(tree)}
        ctx = {**self.get_serializer_context(), "tree": tree, "tracking": tracking}
        return Response(PlanSerializer(plan, context=ctx).data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Approval may be done by a manager with the approval permission: the role check
        # passes for managers; the service decides.
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(request=BreakDownSerializer, responses={201: TargetSerializer(many=True)})
    @action(detail=True, methods=["post"], url_path="break-down")
    def break_down(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        body = BreakDownSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        node = plan.targets.filter(pk=data["node"]).first()
        if node is None:
            raise ValidationError({"node": ["No such target in this plan."]})
        weights = data.get("weights")
        if data.get("weight_set"):
            weights = get_object_or_404(WeightSet, pk=data["weight_set"]).weights
        children = services.target_break_down(
            node=node, into=data["into"], method=data["method"], weights=weights, by=cast(User, request.user)
        )
        ctx = {**self.get_serializer_context(), "tracking": track_targets(children)}
        return Response(
            TargetSerializer(children, many=True, context=ctx).data, status=status.HTTP_201_CREATED
        )


def _walk(nodes: list[selectors.Node]) -> list[selectors.Node]:
    out: list[selectors.Node] = []
    for n in nodes:
        out.append(n)
        out.extend(_walk(n.children))
    return out


# --- weight sets and capability weights (the managers' page) -------------------------


class WeightSetSerializer(serializers.ModelSerializer):
    weights = serializers.DictField(
        child=serializers.JSONField(), help_text='Key → weight, e.g. {"1": 8, "2": 6, …} for months.'
    )

    class Meta:
        model = WeightSet
        fields = ["id", "name", "into", "weights", "created_by"]
        read_only_fields = ["created_by"]
        validators: list[Any] = []

    def create(self, validated: dict[str, Any]) -> WeightSet:
        validated.setdefault("into", WeightSet._meta.get_field("into").default)  # optional, as in the model
        return services.weight_set_save(by=self.context["request"].user, **validated)

    def update(self, instance: WeightSet, validated: dict[str, Any]) -> WeightSet:
        fields = {f: validated.get(f, getattr(instance, f)) for f in ("name", "into", "weights")}
        return services.weight_set_save(by=self.context["request"].user, instance=instance, **fields)


class WeightSetViewSet(ScopedViewSet):
    """Named distributions shared by every store (a `weight_set` of break-down/)."""

    queryset = WeightSet.objects.all()
    serializer_class = WeightSetSerializer
    read_roles = WRITERS
    write_roles = WRITERS
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields = ["into", "name"]
    ordering_fields = ["name", "id"]


class CapabilitySerializer(serializers.ModelSerializer):
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        model = Capability
        fields = ["id", "consultant", "weight"]
        extra_kwargs: dict[str, Any] = {"consultant": {"validators": []}}  # posting again replaces the weight
        validators: list[Any] = []

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if "request" in self.context:
            fields["consultant"].queryset = visible(  # type: ignore[attr-defined]
                User.objects.filter(role=Role.CONSULTANT), self.context["request"].user
            )
        return fields

    def create(self, validated: dict[str, Any]) -> Capability:
        """Setting a consultant's weight again replaces it (one per consultant)."""
        return services.capability_set(by=self.context["request"].user, **validated)

    def update(self, instance: Capability, validated: dict[str, Any]) -> Capability:
        return services.capability_set(
            consultant=instance.consultant,
            weight=validated.get("weight", instance.weight),
            by=self.context["request"].user,
        )


class CapabilityViewSet(ScopedViewSet):
    """Consultants' capability weights for `capability` break-downs (default 1)."""

    queryset = Capability.objects.select_related("consultant").order_by("id")
    serializer_class = CapabilitySerializer
    read_roles = WRITERS
    write_roles = WRITERS
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields = ["consultant"]
    ordering_fields = ["id"]


# --- action plans and forecasts (consultants write their own, managers read) --------


class ActionPlanSerializer(serializers.ModelSerializer):
    period_start = serializers.DateField(
        help_text="Any day of the month or week; the period's first day is stored."
    )

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "store",
            "consultant",
            "kind",
            "period_start",
            "period_end",
            "what",
            "whom",
            "when",
            "manager_comment",
            "commented_by",
            "commented_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "store",
            "consultant",
            "period_end",
            "manager_comment",
            "commented_by",
            "commented_at",
            "created_at",
            "updated_at",
        ]
        validators: list[Any] = []

    def _save(self, validated: dict[str, Any], instance: ActionPlan | None = None) -> ActionPlan:
        user = self.context["request"].user
        consultant = instance.consultant if instance else user

        def pick(field: str, default: Any = "") -> Any:
            return validated.get(field, getattr(instance, field) if instance else default)

        return services.action_plan_save(
            consultant=consultant,
            kind=pick("kind"),
            day=pick("period_start"),
            what=pick("what"),
            whom=pick("whom"),
            when=pick("when"),
            by=user,
        )

    def create(self, validated: dict[str, Any]) -> ActionPlan:
        """One plan per consultant, kind and period: posting the period again rewrites it."""
        return self._save(validated)

    def update(self, instance: ActionPlan, validated: dict[str, Any]) -> ActionPlan:
        if validated.get("kind", instance.kind) != instance.kind or (
            "period_start" in validated
            and services.period_of(instance.kind, validated["period_start"])[0] != instance.period_start
        ):
            raise ValidationError({"period_start": [_("The period of an action plan cannot change.")]})
        return self._save(validated, instance)


class ActionPlanCommentSerializer(serializers.Serializer):
    comment = serializers.CharField()


class _ConsultantOwn(ScopedViewSet):
    """Consultants write their own records; the store's managers read them."""

    read_roles = (Role.CONSULTANT, Role.MANAGER)
    write_roles = (Role.CONSULTANT, Role.MANAGER)

    def _only_consultants(self) -> None:
        user = cast(User, self.request.user)
        if not (user.is_admin or user.role == Role.CONSULTANT):
            raise PermissionDenied

    def perform_create(self, serializer: Any) -> None:
        self._only_consultants()
        serializer.save()

    def perform_update(self, serializer: Any) -> None:
        self._only_consultants()
        serializer.save()


class ActionPlanViewSet(_ConsultantOwn):
    queryset = ActionPlan.objects.select_related("consultant")
    serializer_class = ActionPlanSerializer
    filterset_class = ActionPlanFilter
    ordering_fields = ["period_start", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(request=ActionPlanCommentSerializer, responses=ActionPlanSerializer)
    @action(detail=True, methods=["post"])
    def comment(self, request: Request, pk: str | None = None) -> Response:
        """The store manager's comment: {"comment": "..."}."""
        ap = self.get_object()
        if not cast(User, request.user).has_role(Role.MANAGER):
            raise PermissionDenied
        ap = services.action_plan_comment(
            action_plan=ap, comment=str(request.data.get("comment", "")), by=cast(User, request.user)
        )
        return Response(self.get_serializer(ap).data)


class ForecastSerializer(serializers.ModelSerializer):
    units = serializers.IntegerField(min_value=0, help_text="0 withdraws the forecast of this model.")

    class Meta:
        model = Forecast
        fields = ["id", "store", "consultant", "month", "vehicle_model", "units", "updated_at"]
        read_only_fields = ["store", "consultant", "updated_at"]
        validators: list[Any] = []

    def create(self, validated: dict[str, Any]) -> Forecast:
        """The consultant's units of one model for a month that has not started (upsert)."""
        user = self.context["request"].user
        saved = services.forecast_save(
            consultant=user,
            month=validated["month"],
            units={validated["vehicle_model"].pk: validated["units"]},
            by=user,
        )
        if not saved:
            raise ValidationError({"units": [_("Forecast at least one unit.")]})
        return saved[0]

    def update(self, instance: Forecast, validated: dict[str, Any]) -> Forecast:
        for field in ("month", "vehicle_model"):
            if field in validated and validated[field] != getattr(instance, field):
                raise ValidationError({field: [_("Post a new forecast instead.")]})
        units = validated.get("units", instance.units)
        if units == 0:
            raise ValidationError({"units": [_("Delete the forecast instead.")]})
        return self.create({"month": instance.month, "vehicle_model": instance.vehicle_model, "units": units})


class AccuracyMonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    forecast = serializers.IntegerField()
    sold = serializers.IntegerField()
    accuracy = serializers.FloatField(allow_null=True)


class AccuracySerializer(serializers.Serializer):
    consultant = serializers.IntegerField()
    name = serializers.CharField()
    average = serializers.FloatField(allow_null=True)
    months = AccuracyMonthSerializer(many=True)


class ForecastViewSet(_ConsultantOwn):
    queryset = Forecast.objects.select_related("vehicle_model")
    serializer_class = ForecastSerializer
    filterset_fields = ["consultant", "month", "vehicle_model"]
    ordering_fields = ["month", "id"]

    def perform_destroy(self, instance: Forecast) -> None:
        self._only_consultants()
        services.forecast_save(
            consultant=instance.consultant,
            month=instance.month,
            units={instance.vehicle_model_id: 0},
            by=cast(User, self.request.user),
        )

    @extend_schema(responses=AccuracySerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def accuracy(self, request: Request) -> Response:
        """Per consultant, the past six months: units forecast, sold, and the accuracy."""
        rows = selectors.forecast_accuracy(self.get_queryset(), selectors.timezone.localdate())
        data = [
            {
                "consultant": r.consultant.pk,
                "name": r.consultant.name or r.consultant.username,
                "average": r.average,
                "months": [
                    {"month": m, "forecast": f, "sold": a, "accuracy": acc} for m, f, a, acc in r.months
                ],
            }
            for r in rows
        ]
        return Response(AccuracySerializer(data, many=True).data)
