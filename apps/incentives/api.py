"""incentive-statements/ (ro, lines included), query consultant= and period=."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from rest_framework import serializers

from apps.org.api_base import ScopedReadOnlyViewSet
from apps.org.roles import Role

from . import selectors
from .models import Statement, StatementLine


class LineSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementLine
        fields = ["id", "kind", "description", "order", "measure", "basis", "amount", "corrects_period"]


class StatementSerializer(serializers.ModelSerializer):
    lines = LineSerializer(many=True, read_only=True)

    class Meta:
        model = Statement
        fields = [
            "id",
            "store",
            "consultant",
            "period",
            "scheme",
            "status",
            "total",
            "approved_by",
            "approved_at",
            "lines",
        ]


class StatementViewSet(ScopedReadOnlyViewSet):
    """A consultant sees his own approved statements; a manager or finance their stores'."""

    serializer_class = StatementSerializer
    queryset = Statement.objects.all()
    read_roles = (Role.MANAGER, Role.FINANCE, Role.CONSULTANT)
    filterset_fields = ["consultant", "period", "status", "store"]
    ordering_fields = ["id", "period", "total"]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.statements_for(self.request.user).prefetch_related(  # type: ignore[arg-type]
            Prefetch("lines", queryset=StatementLine.objects.order_by("pk"))
        )
