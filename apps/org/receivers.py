"""A user's API tokens die when his password changes or he is deactivated; a change
to his stores forgets the store ids scoping read for him."""

from typing import Any

from django.db.models.signals import m2m_changed, post_init, post_save
from rest_framework.authtoken.models import Token

from .models import User
from .scoping import forget_store_ids


def _remember(sender: Any, instance: User, **kwargs: Any) -> None:
    instance._was = (instance.password, instance.is_active)  # type: ignore[attr-defined]


def _revoke(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    was = getattr(instance, "_was", None)
    if not created and was is not None and was != (instance.password, instance.is_active):
        if instance.password != was[0] or not instance.is_active:
            Token.objects.filter(user=instance).delete()
    _remember(sender, instance)


def _stores_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_") and isinstance(instance, User):
        forget_store_ids(instance)


def connect() -> None:
    m2m_changed.connect(_stores_changed, sender=User.stores.through, dispatch_uid="org.user_stores_changed")
    post_init.connect(_remember, sender=User, dispatch_uid="org.user_remember")
    post_save.connect(_revoke, sender=User, dispatch_uid="org.user_revoke_tokens")
