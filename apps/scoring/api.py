"""`scorecards/` (read-only): every SPEC §5 measure per consultant and period, plus
`score, rank, closed` (API.md). Money is a 2-place string; ratios a number or null."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.org.models import Store
from apps.org.permissions import RolePermission
from apps.org.roles import Role
from apps.org.scoping import visible

from . import selectors
from .measures import MEASURES
from .models import Scorecard
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

    queryset = Scorecard.objects.none()  # names the route "scorecard"; rows are computed

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
