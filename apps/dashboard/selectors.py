from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from apps.activities.models import DailyReport
from apps.activities.selectors import unread_comments
from apps.aftersales.selectors import queue_health
from apps.customers.models import Customer
from apps.org.models import User
from apps.org.roles import Role

from .models import Heartbeat

STALE_AFTER = timedelta(minutes=3)


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
