from celery import shared_task

from . import jobs


@shared_task(acks_late=True, reject_on_worker_lost=True)
def pending_jobs_send() -> int:
    """Beat runs this every minute: the jobs kept while the broker was down are queued."""
    return jobs.send_pending()
