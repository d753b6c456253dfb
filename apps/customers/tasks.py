"""Celery tasks: thin wrappers around the services."""

from celery import shared_task

from . import services


@shared_task
def return_idle_prospects_to_pool() -> int:
    """02:00 daily: prospects without follow-up for the store's N days go to the public pool."""
    return services.return_idle_prospects_to_pool()
