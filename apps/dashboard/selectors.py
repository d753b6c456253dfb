from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

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
