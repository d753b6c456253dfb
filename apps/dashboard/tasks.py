from typing import Any

from celery import shared_task

from . import services


@shared_task(bind=True)
def heartbeat(self: Any) -> int:
    """Beat runs this every minute (settings.CELERY_BEAT_SCHEDULE); returns the beat count."""
    beat = services.heartbeat_record(name="celery", worker=self.request.hostname or "")
    return beat.count
