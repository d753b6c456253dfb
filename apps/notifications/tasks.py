"""Celery tasks of the notification centre (beat: hourly at :10, after quiet hours too)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def notifications_sms_send() -> dict[str, int]:
    """Send pending notification SMS; a second or concurrent run sends nothing twice."""
    return services.sms_send()
