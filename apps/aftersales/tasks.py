"""Celery tasks: thin wrappers taking dates and ids (never objects).

Beat runs `followups_generate` daily at 01:00 and `messages_send` hourly at :05
(settings.CELERY_BEAT_SCHEDULE). The worker acknowledges late and re-queues a task
whose worker died (at-least-once); both services are idempotent, so a second or
concurrent run changes nothing.
"""

from datetime import date

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def followups_generate(on: str | None = None, store_id: int | None = None) -> int:
    """Generate one day's follow-ups (default today); returns the tasks made."""
    day = date.fromisoformat(on) if on else timezone.localdate()
    return sum(services.followups_generate(on=day, store_id=store_id).values())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def messages_send(on: str | None = None) -> dict[str, int]:
    """Send the SMS due by `on` (default today) outside quiet hours."""
    day = date.fromisoformat(on) if on else None
    return services.messages_send(on=day)
