"""Reads of the notification centre: always the signed-in user's own."""

from django.db.models import QuerySet

from apps.org.models import User

from .models import Notification


def inbox(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    """One COUNT query (the bell on every page)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
