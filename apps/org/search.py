"""Global search, filled by every app like the menu and the timeline: each registers the
kind of record it owns from its AppConfig.ready():

    search.register(SearchSource(kind="customer", label=_("Customers"), rows=…, match=…, …))

`find(user, q)` runs one query per kind (customers, vehicles, orders: three), each
scoped through `visible()` and limited, whatever the size of the tables. On PostgreSQL
the columns matched with a substring are covered by pg_trgm GIN indexes (the apps'
migrations), so `LIKE '%1234%'` on mobiles, VINs and plates is an index scan, not a
sequential scan; other databases run the same LIKE without the index.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.functional import Promise

MIN_LENGTH = 2
PER_KIND = 8


@dataclass(frozen=True)
class SearchSource:
    kind: str
    label: str | Promise
    icon: str
    rows: Callable[[Any], QuerySet[Any]]
    """The user's visible records of this kind."""
    match: Callable[[str], Q | None]
    """The filter for the query text; None: this kind cannot match it."""
    title: Callable[[Any], str]
    subtitle: Callable[[Any], str]
    url: Callable[[Any], str]
    roles: tuple[str, ...] | None = None
    order: int = 50


SOURCES: dict[str, SearchSource] = {}


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    title: str
    subtitle: str
    url: str


def register(*sources: SearchSource) -> None:
    for source in sources:
        SOURCES[source.kind] = source


def normalise(q: str) -> str:
    return " ".join((q or "").split())[:50]


def find(user: Any, q: str, per_kind: int = PER_KIND) -> list[tuple[SearchSource, list[Hit]]]:
    """Hits grouped by kind (kinds without hits left out); one query per kind."""
    q = normalise(q)
    if len(q) < MIN_LENGTH:
        return []
    groups = []
    for source in sorted(SOURCES.values(), key=lambda s: s.order):
        if source.roles is not None and not user.has_role(*source.roles):
            continue
        condition = source.match(q)
        if condition is None:
            continue
        rows = list(source.rows(user).filter(condition)[:per_kind])
        hits = [
            Hit(
                kind=source.kind,
                id=r.pk,
                title=source.title(r),
                subtitle=source.subtitle(r),
                url=source.url(r),
            )
            for r in rows
        ]
        if hits:
            groups.append((source, hits))
    return groups
