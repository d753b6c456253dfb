"""Background jobs are queued after the caller's transaction commits, and never lost
when the broker (Redis) is down: a job that cannot be sent is kept in the database
(PendingJob) and sent by `send_pending` when the broker is back (beat runs it every
minute through apps.org.tasks.pending_jobs_send). The page that asked for the job
is served all the same; managers see that jobs are delayed (`broker_down`).
"""

import logging
import time
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F

from .models import PendingJob

log = logging.getLogger(__name__)


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Queue `task(*args)` once the current transaction commits (args: JSON values)."""
    transaction.on_commit(lambda: enqueue(task, *args))


def enqueue(task: Any, *args: Any) -> bool:
    """Send the job now; if the broker is unreachable, keep it for later. True when sent."""
    if current_app.conf.task_always_eager:
        task.apply_async(args)
        return True
    # Known down: keep it at once (a publish would first spend seconds reconnecting).
    # The web tier reads no results: without one, no result-store connection either.
    if not broker_down():
        try:
            task.apply_async(args, retry=False, ignore_result=True)
            return True
        except Exception:  # any broker error: the job must not be lost
            log.warning("broker unavailable: %s kept to be sent later", task.name, exc_info=True)
            _state["checked"], _state["up"] = time.monotonic(), False
    PendingJob.objects.create(task=task.name, args=list(args))
    return False


def send_pending(limit: int = 500) -> int:
    """Send the kept jobs, oldest first; a job sent is deleted. Returns how many were sent."""
    sent = 0
    with transaction.atomic():
        jobs = list(PendingJob.objects.select_for_update(skip_locked=True)[:limit])
        for job in jobs:
            try:
                current_app.send_task(job.task, args=job.args, retry=False, ignore_result=True)
            except Exception:
                log.warning("broker still unavailable: %d jobs wait", len(jobs) - sent, exc_info=True)
                waiting = [j.pk for j in jobs[sent:]]
                PendingJob.objects.filter(pk__in=waiting).update(attempts=F("attempts") + 1)
                break
            job.delete()
            sent += 1
    return sent


# The broker's state as the web process last saw it (checked at most every
# BROKER_CHECK_SECONDS).
_state: dict[str, Any] = {"checked": float("-inf"), "up": True}


def broker_down() -> bool:
    """True when Redis does not answer (never with the embedded broker)."""
    if not settings.REDIS_URL:
        return False
    now = time.monotonic()
    if now - _state["checked"] >= settings.BROKER_CHECK_SECONDS:
        _state["checked"], _state["up"] = now, _ping()
    return not _state["up"]


def _ping() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False
