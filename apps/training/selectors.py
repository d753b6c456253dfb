"""Reads for training: the lists, a consultant's hours by month (scorecards), a store's
month (store summary). Each is one query whatever the number of rows."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from apps.org.scoping import visible

from .models import Attendance, TrainingSession

ZERO = Decimal(0)


def sessions_for(user: Any) -> QuerySet[TrainingSession]:
    """The sessions the user may see, each once (a team lead matches a session through
    several attendees), with their attendee count and average score."""
    ids = visible(TrainingSession.objects.all(), user).values("pk")
    return (
        TrainingSession.objects.filter(pk__in=ids)
        .select_related("store", "trainer")
        .annotate(attendee_count=Count("attendances"), average_score=Avg("attendances__score"))
        .order_by("-date", "-pk")
    )


def monthly_by_consultant(
    consultant_ids: list[int], start: date, end: date
) -> dict[tuple[int, date], dict[str, Any]]:
    """(user id, first day of month) → {"sessions", "hours"} he attended: one query."""
    rows = (
        Attendance.objects.filter(attendee_id__in=consultant_ids, session__date__range=(start, end))
        .annotate(month=TruncMonth("session__date"))
        .values("attendee_id", "month")
        .annotate(sessions=Count("pk"), hours=Sum("session__hours"))
        .order_by()
    )
    return {(r["attendee_id"], _first(r["month"])): r for r in rows}


def store_months(store_ids: list[int], start: date, end: date) -> dict[date, dict[str, Any]]:
    """First day of month → sessions, their hours, attendances (people trained), attendee
    hours (Σ hours × people) and the average assessment score: two queries."""
    out: dict[date, dict[str, Any]] = {}
    for r in (
        TrainingSession.objects.filter(store_id__in=store_ids, date__range=(start, end))
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(sessions=Count("pk"), hours=Sum("hours"))
        .order_by()
    ):
        out[_first(r["month"])] = {
            "sessions": r["sessions"],
            "hours": r["hours"] or ZERO,
            "attendances": 0,
            "person_hours": ZERO,
            "average_score": None,
        }
    for r in (
        Attendance.objects.filter(session__store_id__in=store_ids, session__date__range=(start, end))
        .annotate(month=TruncMonth("session__date"))
        .values("month")
        .annotate(n=Count("pk"), person_hours=Sum("session__hours"), average_score=Avg("score"))
        .order_by()
    ):
        row = out.setdefault(
            _first(r["month"]),
            {"sessions": 0, "hours": ZERO, "attendances": 0, "person_hours": ZERO, "average_score": None},
        )
        row.update(
            attendances=r["n"], person_hours=r["person_hours"] or ZERO, average_score=r["average_score"]
        )
    return out


def _first(value: Any) -> date:
    d = value.date() if hasattr(value, "date") and callable(value.date) else value
    return d.replace(day=1)
