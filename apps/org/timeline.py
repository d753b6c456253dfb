"""A customer's timeline, filled by every app (DESIGN.md: customers never imports the
apps above it). Each app registers its kinds of event from its AppConfig.ready():

    timeline.register(EventSource(
        kind="visit", label=_("Visits"), roles=(Role.MANAGER, Role.CONSULTANT),
        rows=lambda user: visible(Visit.objects.all(), user), customer="customer_id",
        at=F("started_at"), by="consultant", args=("channel", "late"),
        title=lambda a: …, url=lambda pk, a: reverse("activities:visit_edit", args=[pk]),
    ))

Why a registry and one query rather than a fragment per app: the events of every kind
must be merged in time order and paged. Each source yields the same columns (at, kind,
object id, who, up to four text arguments), and `page()` sends them to the database as
ONE `UNION ALL … ORDER BY at DESC, kind DESC, id DESC LIMIT n+1`, keyset-paged by that
triple — so a fleet customer with 5,000 events costs one query per page, like one with 5,
and no event list is ever sorted in Python. Titles are built (and translated) in Python
from the arguments after the fetch, by the app that owns the kind.

Scoping: `rows(user)` goes through `visible()`, and `roles` names who may open that
kind of record at all, so nobody sees an event of a record he could not open.
"""

import base64
import binascii
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import CharField, Expression, F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise

N_ARGS = 4
COLUMNS = ("t_at", "t_kind", "t_id", "t_by", *(f"t_a{i}" for i in range(N_ARGS)))
PAGE = 30


@dataclass(frozen=True)
class EventSource:
    kind: str
    label: str | Promise
    rows: Callable[[Any], QuerySet[Any]]
    """The user's visible records of this kind (already scoped)."""
    customer: str
    """Lookup from a row to its customer's id, e.g. "customer_id"."""
    at: Any
    """Expression (or field name) of the event's time; a date through `DateAt`."""
    title: Callable[[list[str | None]], str]
    url: Callable[[int, list[str | None]], str | None]
    by: str | None = None
    """Lookup to the user who did it."""
    args: Sequence[Any] = ()
    object_id: str = "pk"
    roles: tuple[str, ...] | None = None
    """Who may open this kind of record (None: whoever sees the customer)."""
    where: Q | None = None
    icon: str = "dot"


SOURCES: dict[str, EventSource] = {}


def register(*sources: EventSource) -> None:
    for source in sources:
        SOURCES[source.kind] = source


class DateAt(Func):
    """A business date as the moment of local midnight (its day in Asia/Shanghai), so
    date events sort among datetime events the way the user reads them."""

    output_field: Any = None

    def __init__(self, expression: Any) -> None:
        from django.db.models import DateTimeField

        super().__init__(expression, output_field=DateTimeField())

    def as_postgresql(self, compiler: Any, conn: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql})::timestamp AT TIME ZONE %s)", [*params, settings.TIME_ZONE]

    def as_sql(self, compiler: Any, conn: Any, **extra: Any) -> Any:  # type: ignore[override]
        # SQLite (the quick start): dates stay UTC midnights, good enough for ordering.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"datetime({sql})", params


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str
    title: str
    object_id: int
    url: str | None
    by: str | None
    icon: str = "dot"


def kinds_for(user: Any) -> list[EventSource]:
    return [s for s in SOURCES.values() if s.roles is None or user.has_role(*s.roles)]


def user_name(lookup: str) -> Expression:
    """A user's name as shown everywhere (User.__str__: the name, else the username)."""
    return Coalesce(NullIf(F(f"{lookup}__name"), Value("")), F(f"{lookup}__username"))


def money(value: str | None) -> str:
    """A decimal argument as ¥309,800.00."""
    try:
        return f"¥{Decimal(value or 0):,.2f}"
    except InvalidOperation:
        return str(value)


def truthy(value: str | None) -> bool:
    """A boolean argument as PostgreSQL ("true") or SQLite ("1") casts it to text."""
    return value in ("true", "t", "1", "True")


def _text(value: Any) -> Expression:
    if isinstance(value, str):
        value = F(value)
    return Cast(value, output_field=TextField())


def _branch(source: EventSource, user: Any, customer_id: int) -> QuerySet[Any]:
    qs = source.rows(user).filter(**{source.customer: customer_id})
    if source.where is not None:
        qs = qs.filter(source.where)
    at = F(source.at) if isinstance(source.at, str) else source.at
    by: Any = Value(None, output_field=TextField())
    if source.by:
        by = Cast(user_name(source.by), output_field=TextField())
    args = list(source.args) + [None] * (N_ARGS - len(source.args))
    annotations: dict[str, Any] = {
        "t_at": at,
        "t_kind": Value(source.kind, output_field=CharField()),
        "t_id": F(source.object_id),
        "t_by": by,
    }
    for i, arg in enumerate(args):
        annotations[f"t_a{i}"] = Value(None, output_field=TextField()) if arg is None else _text(arg)
    return qs.annotate(**annotations).values(*COLUMNS).order_by()


def _after(qs: QuerySet[Any], kind: str, cursor: tuple[datetime, str, int]) -> QuerySet[Any]:
    """Rows after the cursor in (at, kind, id) descending order; the kind is this branch's."""
    at, c_kind, c_id = cursor
    if kind < c_kind:
        return qs.filter(t_at__lte=at)
    if kind > c_kind:
        return qs.filter(t_at__lt=at)
    return qs.filter(Q(t_at__lt=at) | Q(t_at=at, t_id__lt=c_id))


def encode_cursor(event: Event) -> str:
    raw = f"{event.at.isoformat()}|{event.kind}|{event.object_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[datetime, str, int]:
    """Raises ValueError on anything but a cursor this module made."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        at_s, kind, id_s = raw.split("|")
        at = parse_datetime(at_s)
        if at is None or at.tzinfo is None:
            raise ValueError(value)
        return at, kind, int(id_s)
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(value) from exc


def page(
    *,
    customer_id: int,
    user: Any,
    kinds: Iterable[str] | None = None,
    cursor: str | None = None,
    limit: int = PAGE,
) -> tuple[list[Event], str | None]:
    """One page of the customer's events, newest first, and the cursor of the next page
    (None at the end). One query whatever the number of events or kinds. Raises
    ValueError for an unknown kind or a bad cursor."""
    allowed = kinds_for(user)
    if kinds:
        wanted = set(kinds)
        unknown = wanted - set(SOURCES)
        if unknown:
            raise ValueError(sorted(unknown)[0])
        allowed = [s for s in allowed if s.kind in wanted]
    if not allowed:
        return [], None
    after = decode_cursor(cursor) if cursor else None
    order = ("-t_at", "-t_kind", "-t_id")
    branches = []
    for source in allowed:
        qs = _branch(source, user, customer_id)
        branches.append(_after(qs, source.kind, after) if after else qs)
    if len(branches) == 1:
        rows = list(branches[0].order_by(*order)[: limit + 1])
    else:
        if connection.features.supports_slicing_ordering_in_compound:
            # Each branch reads at most one page (from its index) before the merge.
            branches = [qs.order_by("-t_at", "-t_id")[: limit + 1] for qs in branches]
        union = branches[0].union(*branches[1:], all=True)
        rows = list(union.order_by(*order)[: limit + 1])
    events = []
    for row in rows[:limit]:
        source = SOURCES[row["t_kind"]]
        args = [row[f"t_a{i}"] for i in range(N_ARGS)]
        events.append(
            Event(
                at=row["t_at"],
                kind=row["t_kind"],
                title=str(source.title(args)),
                object_id=row["t_id"],
                url=source.url(row["t_id"], args),
                by=row["t_by"],
                icon=source.icon,
            )
        )
    next_cursor = encode_cursor(events[-1]) if len(rows) > limit else None
    return events, next_cursor


@dataclass(frozen=True)
class CustomerAction:
    """A button on the customer file and on each row of "My day", offered by the app that
    owns the form; `url(customer_id)` opens it with the customer chosen."""

    key: str
    label: str | Promise
    icon: str
    roles: tuple[str, ...]
    url: Callable[[int], str]
    order: int = 50


ACTIONS: dict[str, CustomerAction] = {}


def register_action(*actions: CustomerAction) -> None:
    for action in actions:
        ACTIONS[action.key] = action


def actions_for(user: Any, customer_id: int, back: str) -> list[dict[str, Any]]:
    """The actions this user may take on the customer, each URL carrying `next` so the
    form returns where the user came from."""
    from urllib.parse import urlencode

    rows = []
    for action in sorted(ACTIONS.values(), key=lambda a: a.order):
        if not user.has_role(*action.roles):
            continue
        url = action.url(customer_id)
        sep = "&" if "?" in url else "?"
        rows.append(
            {
                "key": action.key,
                "label": action.label,
                "icon": action.icon,
                "url": f"{url}{sep}{urlencode({'next': back})}",
            }
        )
    return rows
