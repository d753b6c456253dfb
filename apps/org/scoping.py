"""The one helper every view and API endpoint uses to get its queryset.

A model says how it is scoped with a `scope = ScopeRule(...)` class attribute:
the lookup from the model to its store, and (for records a consultant owns) the
lookup to the owning user. `visible(qs, user)` then applies the rule for the
user's role: an admin sees everything; store-wide roles (manager, finance,
customer service, …) see their stores; a consultant sees his own records, and a
team lead those of the members of the teams he leads. Out-of-scope records are
simply absent, so a detail URL answers 404 and never reveals that they exist.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

if TYPE_CHECKING:
    from .models import User

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class ScopeRule:
    store: str | None
    """Lookup from the model to its store, e.g. "store"; None: reference data all may read."""
    owner: str | None = None
    """Lookup to the consultant who owns the record; None: any user of the store sees it."""
    many: bool = False
    """The store lookup crosses a many-to-many relation (filter by subquery, no duplicates)."""


def store_ids(user: "User") -> QuerySet[Any]:
    """The ids of the user's stores, as a subquery (no query of its own)."""
    from .models import Store

    if user.is_admin:
        return Store.objects.values("pk")
    return user.stores.values("pk")


def visible(qs: QuerySet[M], user: Any) -> QuerySet[M]:
    """The records of `qs` that `user` may see."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_admin:
        return qs
    rule: ScopeRule = qs.model.scope  # type: ignore[attr-defined]
    if rule.store is None:
        return qs
    in_stores = Q(**{f"{rule.store}__in": store_ids(user)})
    if rule.many:
        qs = qs.filter(pk__in=qs.model._default_manager.filter(in_stores).values("pk"))
    else:
        qs = qs.filter(in_stores)
    if rule.owner and not user.is_store_wide:
        mine = Q(**{rule.owner: user.pk}) | Q(**{f"{rule.owner}__team__lead": user.pk})
        qs = qs.filter(mine)
    return qs


def get_visible_or_404(qs: QuerySet[M], user: Any, **lookup: Any) -> M:
    obj = visible(qs, user).filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj
