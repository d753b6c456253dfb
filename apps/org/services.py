"""Writes to the organisation: stores, users and their roles."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import Store, Team, User
from .roles import Role

# Sent before a user is deactivated. Apps below org (customers, sales) connect a
# receiver that returns a sentence naming what the user still holds, or None; any
# sentence refuses the deactivation, so nothing is ever left without an owner.
user_deactivating = Signal()


def store_code_for(name: str, exclude: int | None = None) -> str:
    """A unique slug for a store that was given no code (API.md does not name one).

    A Chinese name slugifies to nothing useful ("广州天河4S店" → "4s"), so a non-Latin
    name gets "store"; a taken code gets the first free "-2", "-3" … suffix.
    """
    base = (slugify(name) if name.isascii() else "")[:16].strip("-") or "store"
    similar = Store.objects.filter(code__startswith=base)
    if exclude is not None:
        similar = similar.exclude(pk=exclude)
    taken = set(similar.values_list("code", flat=True))
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    return code


def _apply_role(user: User) -> None:
    user.groups.set([Group.objects.get_or_create(name=user.role)[0]])


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str = Role.CONSULTANT,
    name: str = "",
    stores: Iterable[Store] = (),
    team: Team | None = None,
    **extra: Any,
) -> User:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    user = User(username=username, role=role, name=name, team=team, **extra)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.stores.set(stores)
    _apply_role(user)
    return user


@transaction.atomic
def user_update(*, user: User, stores: Iterable[Store] | None = None, **fields: Any) -> User:
    password = fields.pop("password", None)
    if fields.get("is_active") is False and user.is_active:
        user_deactivate_check(user=user)
    for key, value in fields.items():
        setattr(user, key, value)
    if password:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if stores is not None:
        user.stores.set(stores)
    _apply_role(user)
    return user


def user_deactivate_check(*, user: User) -> None:
    reasons = [reason for _r, reason in user_deactivating.send(sender=User, user=user) if reason]
    if reasons:
        raise ValidationError({"is_active": reasons})


def user_set_language(*, user: User, language: str) -> None:
    if language not in ("", "en", "zh-hans"):
        raise ValidationError({"language": _("Unknown language.")})
    user.language = language
    user.save(update_fields=["language"])
