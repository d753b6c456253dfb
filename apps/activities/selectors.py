"""Reads for rep activity: set-based aggregates, a fixed number of queries per page."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.customers.models import Customer, Status
from apps.org.models import User
from apps.org.roles import Role
from apps.org.scoping import store_ids, visible
from apps.sales.models import Allocation, Order, OrderStatus

from .models import DailyReport, Escalation, MarketReport, PlannedVisit, RoutePlan, Visit
from .services import report_deadline, settings_for, week_start_of

ZERO = Decimal(0)
MONEY: "DecimalField[Decimal, Decimal]" = DecimalField(max_digits=14, decimal_places=2)


def _scalar(qs: QuerySet[Any], group: str, agg: Any, output: Any) -> Any:
    """A correlated subquery returning one aggregate (0 when there are no rows)."""
    sub = qs.values(group).annotate(v=agg).values("v")[:1]
    zero = Value(ZERO, output_field=output) if isinstance(output, DecimalField) else Value(0)
    return Coalesce(Subquery(sub, output_field=output), zero, output_field=output)


def _orders_live() -> QuerySet[Order]:
    return Order.objects.exclude(status=OrderStatus.CANCELLED)


def with_day_figures(qs: QuerySet[DailyReport]) -> QuerySet[DailyReport]:
    """Daily reports with the day's visits, orders and payments as annotations
    (three correlated subqueries in the same statement: no query per row)."""
    visits = Visit.objects.filter(consultant=OuterRef("consultant"), started_at__date=OuterRef("date"))
    orders = _orders_live().filter(consultant=OuterRef("consultant"), order_date=OuterRef("date"))
    # Money collected counts for the receivable's responsible consultant, as in scoring
    # and plan tracking (a reversal's negative allocations net out).
    payments = Allocation.objects.filter(
        receivable__responsible=OuterRef("consultant"), payment__received_on=OuterRef("date")
    )
    return qs.annotate(
        visits_count=_scalar(visits, "consultant", Count("pk"), IntegerField()),
        orders_count=_scalar(orders, "consultant", Count("pk"), IntegerField()),
        payments_total=_scalar(payments, "receivable__responsible", Sum("amount"), MONEY),
    )


@dataclass
class DayFigures:
    visits: list[Visit]
    visits_count: int
    minutes: int
    expense: Decimal
    orders: list[Order]
    payments_total: Decimal


def day_figures(consultant: User, day: date) -> DayFigures:
    """What pre-fills a daily report: the day's visits, orders and payments."""
    visits = list(
        Visit.objects.filter(consultant=consultant, started_at__date=day)
        .select_related("customer")
        .order_by("started_at")
    )
    orders = list(
        _orders_live()
        .filter(consultant=consultant, order_date=day)
        .select_related("customer", "vehicle_model")
    )
    total = Allocation.objects.filter(receivable__responsible=consultant, payment__received_on=day).aggregate(
        t=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY)
    )["t"]
    return DayFigures(
        visits=visits,
        visits_count=len(visits),
        minutes=sum(v.minutes for v in visits),
        expense=sum((v.expense for v in visits), ZERO),
        orders=orders,
        payments_total=total,
    )


def consultants_of(user: User) -> QuerySet[User]:
    """The active consultants of the user's stores."""
    return (
        User.objects.filter(role=Role.CONSULTANT, is_active=True, stores__in=store_ids(user))
        .distinct()
        .order_by("team__name", "name", "username")
    )


def missing_reports(user: User, day: date) -> list[User]:
    """The consultants `user` oversees who have not submitted a report for `day` (one query).

    A manager oversees his stores' consultants; a team lead the members of his teams."""
    people = consultants_of(user)
    if user.role == Role.CONSULTANT:
        people = people.filter(Q(pk=user.pk) | Q(team__lead=user))
    submitted = DailyReport.objects.filter(consultant=OuterRef("pk"), date=day, submitted_at__isnull=False)
    return list(people.exclude(Exists(submitted)))


def team_view(user: User, today: date | None = None) -> dict[str, Any]:
    """The manager's one glance: today and this week per consultant.

    One statement for the rows (each figure is a correlated subquery), one for the
    day's submitted reports, one for open escalations: three queries whatever the
    number of consultants or records.
    """
    now = timezone.now()
    today = today or timezone.localdate()
    monday = week_start_of(today)
    stores = store_ids(user)
    visits = Visit.objects.filter(consultant=OuterRef("pk"), store__in=stores)
    v_today = visits.filter(started_at__date=today)
    v_week = visits.filter(started_at__date__gte=monday, started_at__date__lte=today)
    reports_week = DailyReport.objects.filter(
        consultant=OuterRef("pk"), date__gte=monday, date__lte=today, submitted_at__isnull=False
    )
    overdue = Customer.objects.filter(
        owner=OuterRef("pk"), store__in=stores, next_follow_up__lt=today
    ).exclude(status=Status.LOST)
    month_ago = today - timedelta(days=30)
    v_30 = visits.filter(started_at__date__gt=month_ago, started_at__date__lte=today)
    rows: list[Any] = list(
        consultants_of(user)
        .select_related("team")
        .annotate(
            visits_today=_scalar(v_today, "consultant", Count("pk"), IntegerField()),
            minutes_today=_scalar(v_today, "consultant", Sum("minutes"), IntegerField()),
            expense_today=_scalar(v_today, "consultant", Sum("expense"), MONEY),
            visits_week=_scalar(v_week, "consultant", Count("pk"), IntegerField()),
            minutes_week=_scalar(v_week, "consultant", Sum("minutes"), IntegerField()),
            expense_week=_scalar(v_week, "consultant", Sum("expense"), MONEY),
            late_week=_scalar(v_week.filter(late=True), "consultant", Count("pk"), IntegerField()),
            visits_30=_scalar(v_30, "consultant", Count("pk"), IntegerField()),
            late_30=_scalar(v_30.filter(late=True), "consultant", Count("pk"), IntegerField()),
            reports_week=_scalar(reports_week, "consultant", Count("pk"), IntegerField()),
            reports_on_time_week=_scalar(
                reports_week.filter(on_time=True), "consultant", Count("pk"), IntegerField()
            ),
            report_today=Subquery(
                DailyReport.objects.filter(consultant=OuterRef("pk"), date=today).values("pk")[:1]
            ),
            report_today_submitted=Exists(
                DailyReport.objects.filter(consultant=OuterRef("pk"), date=today, submitted_at__isnull=False)
            ),
            report_today_on_time=Exists(
                DailyReport.objects.filter(consultant=OuterRef("pk"), date=today, on_time=True)
            ),
            overdue_follow_ups=_scalar(overdue, "owner", Count("pk"), IntegerField()),
        )
    )
    # Reports due this week: the days before today, and today once its cut-off passed
    # (the cut-off of the manager's first store: one more query).
    days_due = (today - monday).days
    deadline = report_deadline(_first_store_id(user), today)
    totals: dict[str, Any] = {"visits_today": 0, "visits_week": 0, "minutes_week": 0, "expense_week": ZERO}
    for row in rows:
        row.reports_due_week = days_due + (1 if now > deadline else 0)
        row.reports_missing_week = max(0, row.reports_due_week - row.reports_week)
        row.late_rate_week = row.late_week / row.visits_week if row.visits_week else None
        row.late_rate_30 = row.late_30 / row.visits_30 if row.visits_30 else None
        for key in totals:
            totals[key] += getattr(row, key)
    reports = list(
        with_day_figures(
            DailyReport.objects.filter(store__in=stores, date=today, submitted_at__isnull=False)
        ).select_related("consultant")
    )
    open_escalations = list(
        Escalation.objects.filter(store__in=stores, answered_at__isnull=True)
        .select_related("raised_by")
        .order_by("raised_at")[:20]
    )
    return {
        "rows": rows,
        "totals": totals,
        "today": today,
        "monday": monday,
        "reports": reports,
        "open_escalations": open_escalations,
    }


def _first_store_id(user: User) -> int:
    """The user's first store, read once per request (cached on the user object)."""
    cached = getattr(user, "_activities_first_store", None)
    if cached is None:
        cached = user.stores.order_by("pk").values_list("pk", flat=True).first() or 0
        user._activities_first_store = cached  # type: ignore[attr-defined]
    return cached


def route_plan_stops(plan: RoutePlan) -> QuerySet[PlannedVisit]:
    """The plan's stops, each marked done when a visit to that customer that day exists."""
    done = Visit.objects.filter(
        consultant=plan.consultant_id, customer=OuterRef("customer"), started_at__date=OuterRef("date")
    )
    return (
        plan.stops.select_related("customer")
        .annotate(done=Exists(done, output_field=BooleanField()))
        .order_by("date", "pk")
    )


def stops_with_done(qs: QuerySet[PlannedVisit]) -> QuerySet[PlannedVisit]:
    """Stops of any plans, each marked done as in `route_plan_stops` (one subquery)."""
    done = Visit.objects.filter(
        consultant=OuterRef("plan__consultant"),
        customer=OuterRef("customer"),
        started_at__date=OuterRef("date"),
    )
    return qs.annotate(done=Exists(done, output_field=BooleanField()))


def adherence(stops: list[PlannedVisit]) -> float | None:
    if not stops:
        return None
    return sum(1 for s in stops if getattr(s, "done", False)) / len(stops)


def with_adherence(qs: QuerySet[RoutePlan]) -> QuerySet[RoutePlan]:
    """Route plans with planned and done counts (two subqueries, no per-row query)."""
    done = Visit.objects.filter(
        consultant=OuterRef("plan__consultant"),
        customer=OuterRef("customer"),
        started_at__date=OuterRef("date"),
    )
    stops = PlannedVisit.objects.filter(plan=OuterRef("pk"))
    return qs.annotate(
        planned=_scalar(stops, "plan", Count("pk"), IntegerField()),
        done=_scalar(stops.filter(Exists(done)), "plan", Count("pk"), IntegerField()),
    )


def price_comparison(qs: QuerySet[MarketReport]) -> QuerySet[Any, dict[str, Any]]:
    """Per competitor model: number of reports, retail and transaction prices, discount."""
    return (
        qs.values("competitor_brand", "competitor_model")
        .annotate(
            reports=Count("pk"),
            retail_avg=Avg("retail_price"),
            transaction_avg=Avg("transaction_price"),
            transaction_min=Min("transaction_price"),
            transaction_max=Max("transaction_price"),
            discount_avg=Avg("discount"),
            latest=Max("date"),
        )
        .order_by("competitor_brand", "competitor_model")
    )


def escalation_stats(user: User) -> dict[str, Any]:
    qs = visible(Escalation.objects.all(), user)
    answered = list(qs.filter(answered_at__isnull=False).values_list("raised_at", "answered_at"))
    hours = [(b - a).total_seconds() / 3600 for a, b in answered if a and b]
    return {
        "open": qs.filter(answered_at__isnull=True).count(),
        "answered": len(hours),
        "avg_hours": round(sum(hours) / len(hours), 1) if hours else None,
    }


def unread_comments(user: User) -> int:
    return (
        DailyReport.objects.filter(consultant=user, commented_at__isnull=False)
        .filter(Q(comment_read_at__isnull=True) | Q(comment_read_at__lt=F("commented_at")))
        .count()
    )


__all__ = [
    "adherence",
    "consultants_of",
    "day_figures",
    "escalation_stats",
    "price_comparison",
    "route_plan_stops",
    "settings_for",
    "stops_with_done",
    "team_view",
    "unread_comments",
    "with_adherence",
    "with_day_figures",
]
