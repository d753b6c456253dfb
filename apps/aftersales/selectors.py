"""Reads for the after-sales pages: the queue, an agent's day, KPIs. Each is a fixed
number of aggregate queries whatever the rows."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.org.models import User
from apps.org.scoping import store_ids as user_store_ids
from apps.org.scoping import visible

from .models import Channel, Complaint, ComplaintStatus, FollowUp, FollowUpStatus, Outcome


def queue(*, user: User, today: date) -> QuerySet[FollowUp]:
    """Calls the agent may work: due today and overdue first, by priority.

    Claimed tasks of this agent come first, then open tasks due by today."""
    qs = visible(FollowUp.objects.all(), user).filter(channel=Channel.CALL)
    qs = qs.annotate(action_on=Coalesce("next_attempt_on", "due_date"))
    mine = Q(status=FollowUpStatus.CLAIMED, assignee=user)
    due = Q(status=FollowUpStatus.OPEN, action_on__lte=today)
    return (
        qs.filter(mine | due)
        .select_related("customer", "vehicle", "vehicle__vehicle_model", "assignee", "store")
        .order_by(F("assignee").asc(nulls_last=True), "-priority", "action_on", "pk")
    )


def _local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


@dataclass
class Day:
    to_call: int
    claimed: int
    done: int
    reached: int
    success_rate: float | None
    avg_satisfaction: float | None


def agent_day(*, user: User, day: date) -> Day:
    """An agent's day: calls waiting, worked today, success rate (two queries)."""
    start, end = _local_day_bounds(day)
    waiting = (
        visible(FollowUp.objects.all(), user)
        .filter(channel=Channel.CALL)
        .annotate(action_on=Coalesce("next_attempt_on", "due_date"))
        .aggregate(
            to_call=Count("pk", filter=Q(status=FollowUpStatus.OPEN, action_on__lte=day)),
            claimed=Count("pk", filter=Q(status=FollowUpStatus.CLAIMED, assignee=user)),
        )
    )
    # A call worked today: completed today, or put back for another attempt today.
    worked = FollowUp.objects.filter(
        Q(completed_at__gte=start, completed_at__lt=end)
        | Q(outcome=Outcome.NO_ANSWER, status=FollowUpStatus.OPEN, next_attempt_on=day + timedelta(days=1)),
        channel=Channel.CALL,
    )
    stats = worked.filter(Q(assignee=user) | Q(assignee__isnull=True, outcome=Outcome.NO_ANSWER)).aggregate(
        done=Count("pk", filter=Q(assignee=user)),
        reached=Count("pk", filter=Q(assignee=user, outcome=Outcome.REACHED)),
        satisfaction=Avg("satisfaction", filter=Q(assignee=user)),
    )
    done = stats["done"]
    return Day(
        to_call=waiting["to_call"],
        claimed=waiting["claimed"],
        done=done,
        reached=stats["reached"],
        success_rate=(stats["reached"] / done) if done else None,
        avg_satisfaction=stats["satisfaction"],
    )


def done_today(*, user: User, day: date) -> QuerySet[FollowUp]:
    start, end = _local_day_bounds(day)
    return (
        FollowUp.objects.filter(assignee=user, completed_at__gte=start, completed_at__lt=end)
        .select_related("customer", "vehicle")
        .order_by("-completed_at")
    )


def _ratio(part: Any, whole: Any) -> float | None:
    return (part / whole) if whole else None


def kpis(*, user: User, start: date, end: date) -> dict[str, Any]:
    """Callback and complaint KPIs per agent and per store for days start..end.

    Four aggregate queries: calls per agent, calls per store, complaints per owner's
    store and per store totals. Completion on time: calls due in the period done by
    their due date; contact rate: calls that reached the customer / all call attempts
    (a task not answered twice, then reached, is 1 of 3)."""
    tasks = visible(FollowUp.objects.all(), user).filter(
        channel=Channel.CALL, due_date__gte=start, due_date__lte=end
    )
    finished = Q(status__in=[FollowUpStatus.DONE, FollowUpStatus.FAILED])
    on_time = Q(finished, completed_at__date__lte=F("due_date"))
    measures = {
        "due": Count("pk", filter=~Q(status=FollowUpStatus.CANCELLED)),
        "completed": Count("pk", filter=finished),
        "on_time": Count("pk", filter=on_time),
        "reached": Count("pk", filter=Q(outcome=Outcome.REACHED)),
        "calls": Sum("attempts"),
        "satisfaction": Avg("satisfaction"),
    }
    per_store = list(tasks.values("store", "store__name").annotate(**measures).order_by("store__name"))
    per_agent = list(
        tasks.filter(finished)
        .values("assignee", "assignee__name", "assignee__username", "store__name")
        .annotate(**measures)
        .order_by("store__name", "assignee__name")
    )
    for row in per_store + per_agent:
        row["on_time_rate"] = _ratio(
            row["on_time"], row["due"] if "assignee" not in row else row["completed"]
        )
        row["contact_rate"] = _ratio(row["reached"], row["calls"])
    start_at, _e = _local_day_bounds(start)
    _s, end_at = _local_day_bounds(end)
    complaints = visible(Complaint.objects.all(), user).filter(opened_at__gte=start_at, opened_at__lt=end_at)
    resolved = Q(status__in=[ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED])
    duration = ExpressionWrapper(F("resolved_at") - F("opened_at"), output_field=DurationField())
    complaint_rows = list(
        complaints.values("store", "store__name")
        .annotate(
            opened=Count("pk"),
            resolved=Count("pk", filter=resolved),
            closed=Count("pk", filter=Q(status=ComplaintStatus.CLOSED)),
            time=Avg(duration, filter=resolved),
        )
        .order_by("store__name")
    )
    for row in complaint_rows:
        row["resolution_rate"] = _ratio(row["resolved"], row["opened"])
        row["hours"] = row["time"].total_seconds() / 3600 if row["time"] else None
    return {"per_store": per_store, "per_agent": per_agent, "complaints": complaint_rows}


def queue_health(*, user: User, today: date) -> dict[str, int]:
    """Open calls due today and overdue (for the dashboard and the queue header).

    Filtered to what it counts, so the open-calls index (and the status index for
    the claimed ones) serve it, not a count over years of finished tasks."""
    qs = FollowUp.objects.filter(store__in=user_store_ids(user), channel=Channel.CALL)
    qs = qs.annotate(action_on=Coalesce("next_attempt_on", "due_date"))
    qs = qs.filter(Q(status=FollowUpStatus.OPEN, action_on__lte=today) | Q(status=FollowUpStatus.CLAIMED))
    return qs.aggregate(
        today=Count("pk", filter=Q(status=FollowUpStatus.OPEN, action_on=today)),
        overdue=Count("pk", filter=Q(status=FollowUpStatus.OPEN, action_on__lt=today)),
        claimed=Count("pk", filter=Q(status=FollowUpStatus.CLAIMED)),
    )
