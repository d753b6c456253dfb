"""Activities do not know appointments (they sit above); this app listens for new visits."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.activities.models import Visit

from .services import appointments_attend


@receiver(post_save, sender=Visit, dispatch_uid="appointments_attend_on_visit")
def visit_logged(sender: Any, instance: Visit, created: bool, **kwargs: Any) -> None:
    appointments_attend(visit=instance)
