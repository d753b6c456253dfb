"""Reads of incentives: statement lists (fixed queries) and a statement with its lines."""

from typing import Any

from django.db.models import Count, QuerySet

from apps.org.models import User
from apps.org.roles import Role
from apps.org.scoping import visible

from .models import Statement, StatementStatus


def statements_for(user: User) -> QuerySet[Statement]:
    """The statements the user may see: his stores' (manager, finance); a consultant only
    his own, and only once approved (a draft may still change)."""
    qs = visible(
        Statement.objects.select_related("consultant", "store", "approved_by", "scheme").annotate(
            line_count=Count("lines")
        ),
        user,
    )
    if getattr(user, "role", None) == Role.CONSULTANT and not user.is_admin:
        qs = qs.filter(consultant=user, status=StatementStatus.APPROVED)
    return qs.order_by("-period", "consultant__name", "pk")


def lines_of(statement: Statement) -> QuerySet[Any]:
    return statement.lines.select_related("order", "order__vehicle_model", "order__customer").order_by("pk")
