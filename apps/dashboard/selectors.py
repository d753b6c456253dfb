from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.activities.models import DailyReport, MarketReport
from apps.activities.selectors import unread_comments
from apps.aftersales.selectors import queue_health
from apps.customers.models import Customer, Grade, Opportunity
from apps.customers.selectors import funnel
from apps.org.models import Store, User
from apps.org.roles import Role
from apps.plans.models import Measure, PeriodKind, PlanStatus, ScopeType, Target
from apps.plans.selectors import Filters, Spec, actuals, track
from apps.sales.models import Order, OrderStatus, Receivable
from apps.sales.selectors import aging
from apps.stock.selectors import tile as stock_tile

from .models import Heartbeat

STALE_AFTER = timedelta(minutes=3)
# The dashboard's funnel: the opportunities opened in the last FUNNEL_DAYS (a store's
# whole history would be years of stage changes and say little about this quarter).
FUNNEL_DAYS = 90
TILE_MEASURES = [
    Measure.UNITS,
    Measure.REVENUE,
    Measure.GROSS_PROFIT,
    Measure.COLLECTIONS,
    Measure.NEW_CUSTOMERS,
    Measure.VISITS,
]


def system_status() -> dict[str, Any]:
    beat = Heartbeat.objects.filter(name="celery").first()
    broker = settings.CELERY_BROKER_URL
    return {
        "heartbeat": beat,
        "celery_ok": bool(beat and timezone.now() - beat.beat_at < STALE_AFTER),
        "database": connection.vendor,
        "broker": "redis" if broker.startswith("redis") else "embedded (files under var/)",
        "time_zone": settings.TIME_ZONE,
        "debug": settings.DEBUG,
    }


def home(user: User) -> dict[str, Any]:
    """What the signed-in user's home page shows first, by role."""
    today = timezone.localdate()
    context: dict[str, Any] = {"today": today}
    if user.role == Role.CONSULTANT:
        context["follow_ups"] = (
            Customer.objects.filter(owner=user)
            .exclude(status="lost")
            .aggregate(
                overdue=Count("pk", filter=Q(next_follow_up__lt=today)),
                due=Count("pk", filter=Q(next_follow_up=today)),
            )
        )
        context["report_submitted"] = DailyReport.objects.filter(
            consultant=user, date=today, submitted_at__isnull=False
        ).exists()
        context["unread_comments"] = unread_comments(user)
    if user.role in (Role.CUSTOMER_SERVICE, Role.MANAGER) or user.is_admin:
        context["queue"] = queue_health(user=user, today=today)
    return context


def _month_bounds(today: date) -> tuple[date, date]:
    start = today.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return start, end


def manager_dashboard(*, user: User, store: Store, today: date) -> dict[str, Any]:
    """SPEC §7 at a glance for one store: month to date against target, funnel, ranking,
    receivables aging, callback queue, lead grades and the latest market reports.
    Every block is one aggregate query (or one per measure family for the targets)."""
    start, end = _month_bounds(today)
    specs = [Spec(m, start, today, Filters()) for m in TILE_MEASURES]
    today_specs = [Spec(m, today, today, Filters()) for m in (Measure.UNITS, Measure.REVENUE)]
    month_actual = actuals(store, specs + today_specs)
    targets = {
        t.measure: t
        for t in Target.objects.filter(
            plan__store=store,
            plan__status=PlanStatus.APPROVED,
            scope_type=ScopeType.STORE,
            period_kind=PeriodKind.MONTH,
            period_start__lte=today,
            period_end__gte=today,
            measure__in=TILE_MEASURES,
        )
    }
    tiles = []
    for measure, actual in zip(TILE_MEASURES, month_actual, strict=False):
        target = targets.get(measure)
        tracking = track(target.value, actual, start, end, today, target.is_integer) if target else None
        tiles.append(
            {
                "measure": measure,
                "label": Measure(measure).label,
                "actual": actual,
                "target": target.value if target else None,
                "tracking": tracking,
            }
        )
    funnel_since = timezone.make_aware(datetime.combine(today - timedelta(days=FUNNEL_DAYS - 1), time.min))
    opportunities = Opportunity.objects.filter(store=store, created_at__gte=funnel_since)
    ranking = list(
        Order.objects.filter(store=store, order_date__range=(start, today))
        .exclude(status=OrderStatus.CANCELLED)
        .values("consultant", "consultant__name", "consultant__username")
        .annotate(units=Count("pk"), revenue=Sum("amount"))
        .order_by("-revenue")[:10]
    )
    grades = dict(
        Customer.objects.filter(store=store)
        .exclude(status="lost")
        .values_list("grade")
        .annotate(n=Count("pk"))
    )
    return {
        "store": store,
        "tiles": tiles,
        # A count, though the actuals come back as Decimals: plural forms need an int.
        "today_units": int(month_actual[len(specs)] or 0),
        "today_revenue": month_actual[len(specs) + 1],
        "funnel": funnel(opportunities),
        "funnel_days": FUNNEL_DAYS,
        "ranking": ranking,
        "aging": aging(Receivable.objects.filter(store=store), today=today),
        "queue": queue_health(user=user, today=today),
        "grades": [(g.value, str(g.label), grades.get(g.value, 0)) for g in Grade],
        "market": MarketReport.objects.filter(store=store)
        .select_related("consultant")
        .order_by("-date", "-pk")[:5],
        "stock": stock_tile(store, today),
    }
