"""Beat runs `appointments_close_day` daily at 23:50 for that day (settings)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def appointments_close_day(day: str | None = None) -> dict[str, int]:
    """Decide the day's open appointments: attended or no-show; safe to run twice."""
    return services.appointments_close_day(day=date.fromisoformat(day) if day else timezone.localdate())
