"""`scorecards/` (read-only): every SPEC §5 measure per consultant and period, plus
`score, rank, closed` (API.md). Money is a 2-place string; ratios a number or null.
`ratings/` and `period-closes/`: the manager's rating and closing, as on the pages."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.org.api_base import ID_PATTERN, ScopedViewSet
from apps.org.models import Store
from apps.org.pagination import Pagination
from apps.org.permissions import RolePermission
from apps.org.roles import Role
from apps.org.scoping import visible

from . import selectors, services
from .measures import MEASURES
from .models import PeriodClose, Rating, Scorecard
from .periods import Period, parse
from .views import default_period, scorable_consultants


def _field(kind: str) -> serializers.Field:
    if kind == "money":
        return serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, read_only=True)
    if kind == "count":
        return serializers.IntegerField(read_only=True)
    return serializers.FloatField(allow_null=True, read_only=True)


class ScorecardSerializer(serializers.Serializer):
    consultant = serializers.IntegerField(source="consultant_id", read_only=True)
    consultant_name = serializers.CharField(source="name", read_only=True)
    period = serializers.CharField(source="period.key", read_only=True)
    score = serializers.FloatField(allow_null=True, read_only=True)
    rank = serializers.IntegerField(source="rank_store", allow_null=True, read_only=True)
    rank_team = serializers.IntegerField(allow_null=True, read_only=True)
    closed = serializers.BooleanField(read_only=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for m in MEASURES:
            fields[m.name] = _field(m.kind)
        return fields

    def to_representation(self, card: Any) -> dict[str, Any]:
        data = {
            "consultant": card.consultant_id,
            "consultant_name": card.name,
            "period": card.period.key,
        }
        fields = self.fields
        for m in MEASURES:
            value = card.figures.get(m.name)
            data[m.name] = None if value is None else fields[m.name].to_representation(value)
        data["score"] = None if card.score is None else float(card.score)
        data["rank"] = card.rank_store
        data["rank_team"] = card.rank_team
        data["closed"] = card.closed
        return data


PARAMS = [
    OpenApiParameter("consultant", OpenApiTypes.INT, description="a consultant's user id"),
    OpenApiParameter(
        "period", OpenApiTypes.STR, description="2026-10, 2026-Q4 or 2026 (default: last month)"
    ),
]


class ScorecardViewSet(viewsets.ViewSet):
    """A consultant sees his own scorecard (a team lead his team's too); a manager his
    stores' consultants'."""

    pagination_class = Pagination  # the list is paged (and so described in the schema)

    queryset = Scorecard.objects.none()  # names the route "scorecard"; rows are computed
    lookup_value_regex = ID_PATTERN

    permission_classes = [RolePermission]
    read_roles = (Role.MANAGER, Role.CONSULTANT)
    serializer_class = ScorecardSerializer

    def _period(self, request: Request) -> Period:
        key = request.query_params.get("period")
        return parse(key) if key else default_period()

    def _cards(self, request: Request, consultant_id: Any = None) -> list[Any]:
        period = self._period(request)
        consultants = scorable_consultants(request.user)
        if consultant_id not in (None, ""):
            try:
                consultants = consultants.filter(pk=int(consultant_id))
            except (TypeError, ValueError) as exc:
                raise ValidationError(
                    {"consultant": [_("Give a consultant's id (a whole number).")]}
                ) from exc
            if not consultants.exists():
                raise Http404
        ids = set(consultants.values_list("pk", flat=True))
        stores = list(visible(Store.objects.filter(users__in=ids).distinct(), request.user))
        cards = selectors.scorecards(stores=stores, periods=[period])
        return sorted(
            (c for c in cards.values() if c.consultant_id in ids),
            key=lambda c: (c.store_id, c.rank_store or 10**6, c.name),
        )

    @extend_schema(parameters=PARAMS, responses=ScorecardSerializer(many=True))
    def list(self, request: Request) -> Response:
        cards = self._cards(request, request.query_params.get("consultant"))
        paginator = self.paginator
        page = paginator.paginate_queryset(cards, request, view=self)
        return paginator.get_paginated_response(ScorecardSerializer(page, many=True).data)

    @extend_schema(parameters=PARAMS[1:], responses=ScorecardSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        cards = self._cards(request, pk)
        if not cards:
            raise Http404
        return Response(ScorecardSerializer(cards[0]).data)

    @property
    def paginator(self) -> Any:
        if not hasattr(self, "_paginator"):
            from rest_framework.settings import api_settings

            cls: Any = api_settings.DEFAULT_PAGINATION_CLASS
            self._paginator = cls() if cls else None
        return self._paginator


# ---------------------------------------------------------------- ratings and closing


class RatingSerializer(serializers.ModelSerializer):
    average = serializers.DecimalField(max_digits=4, decimal_places=2, read_only=True)

    class Meta:
        model = Rating
        fields = [
            "id",
            "store",
            "consultant",
            "period",
            "cooperation",
            "enthusiasm",
            "loyalty",
            "compliance",
            "planning",
            "progress",
            "comment",
            "average",
            "rated_by",
            "rated_at",
        ]
        read_only_fields = ["store", "rated_by", "rated_at"]
        validators: list[Any] = []

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            fields["consultant"].queryset = scorable_consultants(request.user)  # type: ignore[attr-defined]
        return fields

    def _save(self, validated: dict[str, Any], instance: Rating | None = None) -> Rating:
        scores = {
            f: validated.get(f, getattr(instance, f, None))
            for f in ("cooperation", "enthusiasm", "loyalty", "compliance", "planning", "progress")
        }
        return services.rating_save(
            consultant=validated.get("consultant") or instance.consultant,  # type: ignore[union-attr]
            period=validated.get("period") or instance.period,  # type: ignore[union-attr]
            rated_by=self.context["request"].user,
            comment=validated.get("comment", getattr(instance, "comment", "")),
            **scores,
        )

    def create(self, validated: dict[str, Any]) -> Rating:
        """One rating per consultant and period: rating the period again corrects it."""
        return self._save(validated)

    def update(self, instance: Rating, validated: dict[str, Any]) -> Rating:
        for field in ("consultant", "period"):
            if field in validated and validated[field] != getattr(instance, field):
                raise serializers.ValidationError({field: [_("Rate that period or consultant on its own.")]})
        return self._save(validated, instance)


class RatingViewSet(ScopedViewSet):
    """The manager's qualitative ratings; a consultant reads his own."""

    queryset = Rating.objects.all()
    serializer_class = RatingSerializer
    read_roles = (Role.MANAGER, Role.CONSULTANT)
    write_roles = (Role.MANAGER,)
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields = ["consultant", "period"]
    ordering_fields = ["period", "id"]


class PeriodCloseSerializer(serializers.ModelSerializer):
    store = serializers.PrimaryKeyRelatedField(
        queryset=Store.objects.none(), required=False, help_text="Default: the caller's first store."
    )

    class Meta:
        model = PeriodClose
        fields = ["id", "store", "period", "snapshot", "closed_by", "closed_at"]
        read_only_fields = ["snapshot", "closed_by", "closed_at"]
        validators: list[Any] = []

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            fields["store"].queryset = visible(Store.objects.all(), request.user)  # type: ignore[attr-defined]
        return fields

    def create(self, validated: dict[str, Any]) -> PeriodClose:
        """Close a period that has ended: every consultant's scorecard is frozen."""
        user = self.context["request"].user
        store = validated.get("store") or visible(Store.objects.all(), user).order_by("pk").first()
        if store is None:
            raise serializers.ValidationError({"store": [_("You do not work at any store.")]})
        return services.period_close(store=store, period=validated["period"], closed_by=user)


class PeriodCloseViewSet(ScopedViewSet):
    """Closed periods and their frozen scorecards; closed once, never reopened here."""

    queryset = PeriodClose.objects.all()
    serializer_class = PeriodCloseSerializer
    read_roles = (Role.MANAGER,)
    write_roles = (Role.MANAGER,)
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["store", "period"]
    ordering_fields = ["period", "id"]
