"""Paging for every API list: page numbers (API.md) and keyset cursors for walking.

`?page=N` answers `{"count", "next", "previous", "results"}` as it always has; page N
costs an OFFSET over the N-1 pages before it, which at a dealer group's size means
reading most of a store's history for a deep page (issue 13: 650 ms for page 1,000
of a 67k-visit store).

`?cursor=` (empty for the first page) answers the same shape, but `next` and
`previous` carry a cursor: the values of the list's order key (its ordering, with the
id as tie-breaker) at the edge of the page. The next page is then a range read on
that key, in effect `WHERE (started_at, id) < (…) ORDER BY … LIMIT n+1`, which the
(store, started_at) index answers in the same time on page 1 as on page 10,000, and
rows added or removed meanwhile never shift a page (nothing is repeated or skipped).
The cursor is bound to the order: a cursor made under one `?ordering=` is refused
under another. A list whose order is not a plain set of columns (a computed figure, a
list built in Python) pages by an offset carried in the cursor instead.

`count` is exact by default, in both modes: it costs one count over the filtered rows
(an index-only scan of the store's rows: 15–35 ms for 200k visits on 2 busy cores).
A client walking a big list by cursor that needs no exact total asks
`?count=estimate`: rows are counted up to 1,000 (exact below that), beyond it `count`
is PostgreSQL's planner estimate.
"""

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.db.models import F, Model, OrderBy, Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

CURSOR = "cursor"
COUNT = "count"
EXACT_UP_TO = 1000


@dataclass(frozen=True)
class Key:
    """One column of a list's order."""

    lookup: str
    """ORM path, e.g. "started_at", "consultant__username", "pk"."""
    desc: bool
    nullable: bool
    nulls_high: bool
    """NULL sorts after every value (PostgreSQL's default: last ascending, first descending)."""
    field: Any
    """The model field (or an annotation's output field) that parses a cursor value."""
    attr: str | None
    """The row attribute holding the value; None: read from the `_key<i>` annotation."""

    def order(self, reverse: bool) -> OrderBy:
        desc = self.desc != reverse
        if not self.nullable:
            return OrderBy(F(self.lookup), descending=desc)
        first = self.nulls_high == desc
        return OrderBy(
            F(self.lookup), descending=desc, nulls_first=first or None, nulls_last=(not first) or None
        )

    def beyond(self, value: Any, reverse: bool) -> Q | None:
        """Rows strictly after `value` in the walk's direction (None: none can be)."""
        greater = self.desc == reverse
        if value is None:
            if greater == self.nulls_high:
                return None
            return Q(**{f"{self.lookup}__isnull": False})
        q = Q(**{f"{self.lookup}__{'gt' if greater else 'lt'}": value})
        if self.nullable and greater == self.nulls_high:
            q |= Q(**{f"{self.lookup}__isnull": True})
        return q

    def same(self, value: Any) -> Q:
        if value is None:
            return Q(**{f"{self.lookup}__isnull": True})
        return Q(**{self.lookup: value})


class NotKeyable(Exception):
    """The list's order is not a set of columns a cursor can hold."""


def _direction(item: Any) -> tuple[str, bool, bool | None]:
    """(lookup, descending, nulls high or None for the default) of one ordering item."""
    if isinstance(item, str):
        if item == "?" or "." in item:
            raise NotKeyable(item)
        return item.removeprefix("-"), item.startswith("-"), None
    if isinstance(item, OrderBy) and isinstance(item.expression, F):
        high = None
        if item.nulls_first or item.nulls_last:
            high = bool(item.nulls_first) == item.descending
        return item.expression.name, item.descending, high
    if isinstance(item, F):
        return item.name, False, None
    raise NotKeyable(repr(item))


def _keys(qs: QuerySet[Any]) -> list[Key]:
    """The order key of `qs`: its ordering as Django would expand it (a relation orders
    by the related model's ordering), then the primary key as tie-breaker."""
    query = qs.query
    if getattr(qs, "_fields", None) is not None or query.extra_order_by or query.combinator:
        raise NotKeyable("values(), extra() or a union")
    if query.order_by:
        ordering: Sequence[Any] = query.order_by
    elif query.default_ordering:
        ordering = qs.model._meta.ordering
    else:
        ordering = []
    keys: list[Key] = []
    for item in ordering:
        lookup, desc, high = _direction(item)
        keys += _expand(qs, qs.model, lookup, desc, high, depth=0)
    if not any(k.lookup == "pk" or getattr(k.field, "primary_key", False) for k in keys if k.attr):
        pk = qs.model._meta.pk
        keys.append(Key("pk", bool(keys) and keys[-1].desc, False, True, pk, pk.attname))
    return keys


def _expand(
    qs: QuerySet[Any], model: type[Model], lookup: str, desc: bool, high: bool | None, depth: int
) -> list[Key]:
    if depth > 3:
        raise NotKeyable(lookup)
    if lookup in qs.query.annotations and depth == 0:
        try:
            out = qs.query.annotations[lookup].output_field
        except Exception as exc:  # noqa: BLE001 — any unresolvable output field
            raise NotKeyable(lookup) from exc
        return [Key(lookup, desc, True, True if high is None else high, out, None)]
    field, nullable, path = _resolve(model, lookup)
    if field.is_relation and path[-1] not in ("pk", field.attname):
        # Django orders by a relation as by the related model's own ordering.
        related = field.related_model
        sub = related._meta.ordering or ["pk"]
        keys = []
        for item in sub:
            name, sub_desc, sub_high = _direction(item)
            for key in _expand(qs, related, name, sub_desc != desc, sub_high, depth + 1):
                keys.append(
                    Key(
                        f"{lookup}__{key.lookup}",
                        key.desc,
                        key.nullable or nullable,
                        key.nulls_high,
                        key.field,
                        None,
                    )
                )
        return keys
    local = len(path) == 1 and depth == 0
    attr = field.attname if local else None
    return [Key(lookup, desc, nullable, True if high is None else high, field, attr)]


def _resolve(model: type[Model], lookup: str) -> tuple[Any, bool, list[str]]:
    """The field a lookup ends on and whether the value may be NULL on the way there."""
    path = lookup.split("__")
    nullable = False
    field: Any = None
    current = model
    for i, part in enumerate(path):
        try:
            field = current._meta.pk if part == "pk" else current._meta.get_field(part)
        except FieldDoesNotExist as exc:
            raise NotKeyable(lookup) from exc
        if not getattr(field, "concrete", False) or field.many_to_many or field.one_to_many:
            raise NotKeyable(lookup)  # a reverse or many relation: not one value per row
        nullable = nullable or bool(field.null)
        if i < len(path) - 1:
            if not field.is_relation:
                raise NotKeyable(lookup)  # a transform such as name__lower
            current = field.related_model
    return field, nullable, path


def _signature(keys: Sequence[Key]) -> str:
    text = ",".join(f"{'-' if k.desc else ''}{k.lookup}" for k in keys)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:10]


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise NotKeyable(type(value).__name__)


def _encode(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(value: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        payload = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _invalid() from None
    if not isinstance(payload, dict) or not payload:
        raise _invalid()
    return payload


def _invalid() -> ValidationError:
    return ValidationError({CURSOR: [_("This page cursor is not valid.")]})


@dataclass
class _Page:
    rows: list[Any]
    count: int
    next: str | None
    previous: str | None


class Pagination(PageNumberPagination):
    """{"count", "next", "previous", "results"}; ?page_size= up to 200 (API.md); ?page=
    or, for walking a list, ?cursor= (see the module's docstring)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_description = (
        "Keyset paging: send it empty for the first page, then follow `next` / `previous`, "
        "which carry the cursor. Every page costs the same however deep; `page` is then ignored."
    )
    count_query_description = (
        "`exact` (the default) or `estimate`: with `cursor`, rows are counted up to 1,000 and "
        "beyond that `count` is the database's estimate, so a page does not count the whole list."
    )

    _cursor_page: _Page | None = None

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        self._cursor_page = None
        if CURSOR not in request.query_params:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        size = self.get_page_size(request) or self.page_size
        estimate = _count_mode(request)
        payload = _decode(request.query_params[CURSOR]) if request.query_params[CURSOR] else {}
        try:
            if not isinstance(queryset, QuerySet):
                raise NotKeyable("not a queryset")
            keys = _keys(queryset)
            if "o" in payload:
                raise _invalid()
            page = self._keyset(queryset, keys, payload, size)
        except NotKeyable:
            page = self._offset(queryset, payload, size)
        page.count = _count(queryset, estimate)
        self._cursor_page = page
        self.display_page_controls = bool(page.next or page.previous)
        return page.rows

    def _link(self, payload: dict[str, Any]) -> str:
        assert self.request is not None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, CURSOR, _encode(payload))

    def _keyset(self, queryset: QuerySet[Any], keys: list[Key], payload: dict[str, Any], size: int) -> _Page:
        sig = _signature(keys)
        reverse = False
        values: list[Any] | None = None
        if payload:
            if (
                payload.get("s") != sig
                or not isinstance(payload.get("v"), list)
                or len(payload["v"]) != len(keys)
            ):
                raise _invalid()
            reverse = payload.get("r") == 1
            try:
                values = [
                    None if v is None else k.field.to_python(v)
                    for k, v in zip(keys, payload["v"], strict=True)
                ]
            except (DjangoValidationError, TypeError, ValueError):
                raise _invalid() from None
        extra = {f"_key{i}": F(k.lookup) for i, k in enumerate(keys) if k.attr is None}
        qs = queryset.annotate(**extra) if extra else queryset
        if values is not None:
            qs = qs.filter(_after(keys, values, reverse))
        rows = list(qs.order_by(*(k.order(reverse) for k in keys))[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if reverse:
            rows.reverse()

        def at(row: Any, back: bool) -> str:
            vals = [_plain(getattr(row, k.attr or f"_key{i}")) for i, k in enumerate(keys)]
            return self._link({"s": sig, "v": vals, **({"r": 1} if back else {})})

        def here(back: bool) -> str:
            assert values is not None
            return self._link({"s": sig, "v": payload["v"], **({"r": 1} if back else {})})

        if not reverse:
            nxt = at(rows[-1], False) if more else None
            prev = None if values is None else (at(rows[0], True) if rows else here(True))
        else:
            prev = at(rows[0], True) if more else None
            nxt = at(rows[-1], False) if rows else here(False)
        return _Page(rows, 0, nxt, prev)

    def _offset(self, queryset: Any, payload: dict[str, Any], size: int) -> _Page:
        if payload and not (isinstance(payload.get("o"), int) and payload["o"] >= 0):
            raise _invalid()
        start = payload.get("o", 0)
        rows = list(queryset[start : start + size + 1])
        more = len(rows) > size
        nxt = self._link({"o": start + size}) if more else None
        prev = self._link({"o": max(0, start - size)}) if start > 0 else None
        return _Page(rows[:size], 0, nxt, prev)

    def get_paginated_response(self, data: Any) -> Response:
        page = self._cursor_page
        if page is None:
            return super().get_paginated_response(data)
        return Response({"count": page.count, "next": page.next, "previous": page.previous, "results": data})

    def get_html_context(self) -> Any:
        page = self._cursor_page
        if page is None:
            return super().get_html_context()
        return {"previous_url": page.previous, "next_url": page.next, "page_links": []}

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        out = super().get_paginated_response_schema(schema)
        out["properties"]["count"]["description"] = (
            "How many rows the filtered list holds (exact unless `count=estimate` was asked with a cursor)."
        )
        return out

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": CURSOR,
                "required": False,
                "in": "query",
                "description": self.cursor_query_description,
                "schema": {"type": "string"},
            },
            {
                "name": COUNT,
                "required": False,
                "in": "query",
                "description": self.count_query_description,
                "schema": {"type": "string", "enum": ["exact", "estimate"]},
            },
        ]


def _after(keys: Sequence[Key], values: Sequence[Any], reverse: bool) -> Q:
    """The rows after the cursor: key 1 beyond, or key 1 equal and key 2 beyond, … .
    The first key's own bound is repeated as a plain range so that an index on it
    serves the page (PostgreSQL draws no index range from the OR alone)."""
    branches: Q | None = None
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        beyond = key.beyond(value, reverse)
        if beyond is not None:
            branches = equal & beyond if branches is None else branches | (equal & beyond)
        equal &= key.same(value)
    if branches is None:  # the cursor sits past the last row: an empty page
        return Q(pk__in=[])
    first, v0 = keys[0], values[0]
    if not first.nullable and v0 is not None:
        op = "gte" if first.desc == reverse else "lte"
        return Q(**{f"{first.lookup}__{op}": v0}) & branches
    return branches


def _count_mode(request: Request) -> bool:
    """True when the client asked for an estimated count."""
    mode = request.query_params.get(COUNT, "exact")
    if mode not in ("exact", "estimate"):
        raise ValidationError(
            {COUNT: [_("Ask for an exact count or an estimate (count=exact or count=estimate).")]}
        )
    return mode == "estimate"


def _count(queryset: Any, estimate: bool) -> int:
    if not isinstance(queryset, QuerySet):
        return len(queryset)
    if not estimate:
        return queryset.count()
    capped = queryset.order_by()[: EXACT_UP_TO + 1].count()
    if capped <= EXACT_UP_TO or connections[queryset.db].vendor != "postgresql":
        return capped if capped <= EXACT_UP_TO else queryset.count()
    plan = json.loads(queryset.order_by().explain(format="json"))
    return max(int(plan[0]["Plan"]["Plan Rows"]), capped)
