"""Beat runs `ladders_run` every 10 minutes (complaint rungs count hours, callbacks minutes)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def ladders_run(store_id: int | None = None) -> dict[str, int]:
    """Climb every escalation ladder once; a second or concurrent run changes nothing."""
    return services.ladders_run(store_id=store_id)
