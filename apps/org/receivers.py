"""A user's API tokens die when his password changes or he is deactivated."""

from typing import Any

from django.db.models.signals import post_init, post_save
from rest_framework.authtoken.models import Token

from .models import User


def _remember(sender: Any, instance: User, **kwargs: Any) -> None:
    instance._was = (instance.password, instance.is_active)  # type: ignore[attr-defined]


def _revoke(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    was = getattr(instance, "_was", None)
    if not created and was is not None and was != (instance.password, instance.is_active):
        if instance.password != was[0] or not instance.is_active:
            Token.objects.filter(user=instance).delete()
    _remember(sender, instance)


def connect() -> None:
    post_init.connect(_remember, sender=User, dispatch_uid="org.user_remember")
    post_save.connect(_revoke, sender=User, dispatch_uid="org.user_revoke_tokens")
