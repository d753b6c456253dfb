from django.db.models import F
from django.utils import timezone

from .models import Heartbeat


def heartbeat_record(*, name: str, worker: str) -> Heartbeat:
    """Upsert the heartbeat row; safe to run any number of times."""
    beat, created = Heartbeat.objects.get_or_create(
        name=name, defaults={"beat_at": timezone.now(), "worker": worker, "count": 1}
    )
    if not created:
        Heartbeat.objects.filter(pk=beat.pk).update(
            beat_at=timezone.now(), worker=worker, count=F("count") + 1
        )
        beat.refresh_from_db()
    return beat
