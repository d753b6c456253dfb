"""Customers per owner and day (SPEC §5 客户数), kept with the records.

A file counts as a customer of its owner at the end of a day E when he had a first
order dated by E (or his status then was "customer") and was not lost by then; his
owner and status then are read from the ownership changes and the audit history:

- owner then: the new owner of the last ownership change by E, else the old owner of
  the first change after E, else today's owner (never changed);
- status then: the status of the last audit-history row by E; a file without history
  by E counts from its creation when its status is "customer" and is lost from
  `lost_on`.

Reading this per customer and period end costs a file's whole history each time, so
the answer is kept instead: `CustomerSpan` holds each file's stretches of days counted
for one owner, `CustomerCountChange` their rollup per store, owner and day (+1 where a
span starts, −1 where one ends). A consultant's customers at E are then one sum of his
changes up to E. Every service that writes what the rule reads (a file's owner, status,
lost date or first order, an ownership change, an audit row) calls `counts_refresh`
with the customers it wrote, in its transaction; it derives their spans again from the
records and moves the rollup by the difference. `manage.py customer_counts_check`
derives everything again and reports (with --fix, repairs) any difference.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Q, Sum
from django.db.models.functions import TruncDate

CUSTOMER, LOST = "customer", "lost"
CHUNK = 2000  # customers per round of reads


class Span(NamedTuple):
    store_id: int
    owner_id: int
    start: date
    end: date | None


@dataclass(frozen=True)
class Models:
    """The models the rule reads and writes: the app's own, or a migration's historical ones."""

    customer: Any
    history: Any
    change: Any
    span: Any
    count: Any

    @classmethod
    def of(cls, apps: Any = None) -> "Models":
        if apps is None:
            from .models import Customer, CustomerCountChange, CustomerSpan, OwnershipChange

            return cls(Customer, Customer.history.model, OwnershipChange, CustomerSpan, CustomerCountChange)
        get = apps.get_model
        return cls(
            get("customers", "Customer"),
            get("customers", "HistoricalCustomer"),
            get("customers", "OwnershipChange"),
            get("customers", "CustomerSpan"),
            get("customers", "CustomerCountChange"),
        )


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def spans_of(customer_ids: Iterable[int], m: Models | None = None) -> dict[int, list[Span]]:
    """Each customer's spans, derived from his records: three queries."""
    m = m or Models.of()
    ids = list(customer_ids)
    tz = _tz()
    rows = m.customer.objects.filter(pk__in=ids).annotate(created=TruncDate("created_at", tzinfo=tz))
    history: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for cid, day, status in (
        m.history.objects.filter(id__in=ids)
        .annotate(day=TruncDate("history_date", tzinfo=tz))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "day", "status")
    ):
        history[cid].append((day, status))
    changes: dict[int, list[tuple[date, int | None, int | None]]] = defaultdict(list)
    for cid, day, old, new in (
        m.change.objects.filter(customer_id__in=ids)
        .annotate(day=TruncDate("at", tzinfo=tz))
        .order_by("customer_id", "at", "pk")
        .values_list("customer_id", "day", "from_owner_id", "to_owner_id")
    ):
        changes[cid].append((day, old, new))
    out: dict[int, list[Span]] = {}
    for cid, store_id, owner_id, status, lost_on, first, created in rows.values_list(
        "pk", "store_id", "owner_id", "status", "lost_on", "first_order_on", "created"
    ):
        out[cid] = _spans(store_id, owner_id, status, lost_on, first, created, history[cid], changes[cid])
    return out


def _spans(
    store_id: int,
    owner_now: int | None,
    status: str,
    lost_on: date | None,
    first: date | None,
    created: date,
    history: list[tuple[date, str]],
    changes: list[tuple[date, int | None, int | None]],
) -> list[Span]:
    """The rule of the module docstring, evaluated on the days something changes (between
    them nothing does; before the first of them the file counts for no one)."""
    days = sorted(
        {d for d in (created, lost_on, first) if d is not None}
        | {d for d, _s in history}
        | {c[0] for c in changes}
    )
    spans: list[Span] = []
    counted: int | None = None
    since = created
    h = c = 0
    status_then = ""
    for day in days:
        while h < len(history) and history[h][0] <= day:
            status_then = history[h][1]
            h += 1
        while c < len(changes) and changes[c][0] <= day:
            c += 1
        owner = changes[c - 1][2] if c else (changes[0][1] if changes else owner_now)
        if status_then:
            counts = status_then == CUSTOMER or (status_then != LOST and first is not None and first <= day)
        else:
            counts = (
                (first is not None and first <= day) or (status == CUSTOMER and created <= day)
            ) and not (lost_on is not None and lost_on <= day)
        now = owner if counts else None
        if now != counted:
            if counted is not None:
                spans.append(Span(store_id, counted, since, day))
            counted, since = now, day
    if counted is not None:
        spans.append(Span(store_id, counted, since, None))
    return spans


def stored_spans(customer_ids: Iterable[int], m: Models | None = None) -> dict[int, list[Span]]:
    m = m or Models.of()
    out: dict[int, list[Span]] = defaultdict(list)
    for cid, *span in (
        m.span.objects.filter(customer_id__in=list(customer_ids))
        .order_by("customer_id", "start")
        .values_list("customer_id", "store_id", "owner_id", "start", "end")
    ):
        out[cid].append(Span(*span))
    return out


def _changes(spans: Iterable[Span], sign: int = 1) -> dict[tuple[int, int, date], int]:
    out: dict[tuple[int, int, date], int] = defaultdict(int)
    for s in spans:
        out[s.store_id, s.owner_id, s.start] += sign
        if s.end is not None:
            out[s.store_id, s.owner_id, s.end] -= sign
    return out


def _add_to_rollup(delta: dict[tuple[int, int, date], int], m: Models, *, replace: bool = False) -> None:
    """Add `delta` to the rollup rows (or set them, `replace`): one upsert per 1,000 rows,
    in key order so that two writers never wait on each other crosswise."""
    rows = sorted((k, v) for k, v in delta.items() if v or replace)
    q = connection.ops.quote_name
    table, store, owner, day, change = (
        q(n) for n in (m.count._meta.db_table, "store_id", "owner_id", "day", "change")
    )
    value = f"EXCLUDED.{change}" if replace else f"{table}.{change} + EXCLUDED.{change}"
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 1000):
            part = rows[i : i + 1000]
            cursor.execute(
                f"INSERT INTO {table} ({store}, {owner}, {day}, {change}) VALUES "  # noqa: S608 (names quoted)
                + ", ".join(["(%s, %s, %s, %s)"] * len(part))
                + f" ON CONFLICT ({store}, {owner}, {day}) DO UPDATE SET {change} = {value}",
                [x for key, v in part for x in (*key, v)],
            )


def _write_spans(changed: dict[int, list[Span]], m: Models) -> None:
    m.span.objects.filter(customer_id__in=list(changed)).delete()
    m.span.objects.bulk_create(
        [
            m.span(customer_id=cid, store_id=s.store_id, owner_id=s.owner_id, start=s.start, end=s.end)
            for cid, spans in changed.items()
            for s in spans
        ],
        batch_size=2000,
    )


def counts_refresh(*, customer_ids: Iterable[int]) -> int:
    """Derive these customers' spans again and move the rollup by the difference. Called
    by every write of what the rule reads, in its transaction, after the write (with the
    customers' rows locked, so that two writers of one customer take turns). Four
    queries when nothing changed, seven when something did (per 2,000 customers);
    returns how many changed."""
    ids = sorted(set(customer_ids))
    m = Models.of()
    changed = 0
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        new = spans_of(part, m)
        old = stored_spans(part, m)
        moved = {cid: new.get(cid, []) for cid in part if new.get(cid, []) != old.get(cid, [])}
        if not moved:
            continue
        delta = _changes(s for spans in moved.values() for s in spans)
        for k, v in _changes((s for cid in moved for s in old.get(cid, [])), sign=-1).items():
            delta[k] += v
        _write_spans(moved, m)
        _add_to_rollup(delta, m)
        changed += len(moved)
    return changed


# ---------------------------------------------------------------- check and repair


@dataclass
class Report:
    customers: int = 0
    spans_wrong: int = 0  # customers whose stored spans differ from their records
    rollup_wrong: int = 0  # (store, owner, day) rows that differ from the spans
    examples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.spans_wrong or self.rollup_wrong)


def _chunks(qs: Any) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return
        yield ids
        last = ids[-1]


def counts_check(*, store_ids: list[int] | None = None, fix: bool = False, m: Models | None = None) -> Report:
    """Derive every customer's spans (of these stores, or all) and their rollup from the
    records again and compare them with what is kept; with `fix`, write what differs.
    Set-based in rounds of 2,000 customers (four queries each)."""
    m = m or Models.of()
    report = Report()
    customers = m.customer.objects.all()
    if store_ids is not None:
        customers = customers.filter(store_id__in=store_ids)
    expected: dict[tuple[int, int, date], int] = defaultdict(int)
    for ids in _chunks(customers):
        report.customers += len(ids)
        new = spans_of(ids, m)
        old = stored_spans(ids, m)
        wrong = {cid: new.get(cid, []) for cid in ids if new.get(cid, []) != old.get(cid, [])}
        for k, v in _changes(s for spans in new.values() for s in spans).items():
            expected[k] += v
        report.spans_wrong += len(wrong)
        for cid in list(wrong)[: max(0, 5 - len(report.examples))]:
            report.examples.append(f"customer {cid}: kept {old.get(cid, [])}, records say {wrong[cid]}")
        if fix and wrong:
            _write_spans(wrong, m)
    rollup = m.count.objects.exclude(change=0)
    if store_ids is not None:
        rollup = rollup.filter(store_id__in=store_ids)
    kept = {(s, o, d): v for s, o, d, v in rollup.values_list("store_id", "owner_id", "day", "change")}
    wanted = {k: v for k, v in expected.items() if v}
    differ = {k: wanted.get(k, 0) for k in set(kept) | set(wanted) if kept.get(k) != wanted.get(k)}
    report.rollup_wrong = len(differ)
    for k in sorted(differ)[:3]:
        report.examples.append(
            f"store {k[0]}, owner {k[1]}, {k[2]}: kept {kept.get(k, 0):+d}, records say {differ[k]:+d}"
        )
    if fix and differ:
        _add_to_rollup(differ, m, replace=True)
        stale = m.count.objects.filter(change=0)
        if store_ids is not None:
            stale = stale.filter(store_id__in=store_ids)
        stale.delete()
    return report


def owners_customers_at(
    *, owner_ids: list[int], store_ids: list[int], ends: list[date]
) -> dict[tuple[int, date], int]:
    """Customers per (owner, period end) in these stores: one scan of the rollup, a sum
    up to each end."""
    from .models import CustomerCountChange

    ends = sorted(set(ends))
    if not ends or not owner_ids:
        return {}
    sums = {f"e{i}": Sum("change", filter=Q(day__lte=end)) for i, end in enumerate(ends)}
    rows = (
        CustomerCountChange.objects.filter(store_id__in=store_ids, owner_id__in=owner_ids, day__lte=ends[-1])
        .values("owner_id")
        .annotate(**sums)
        .order_by()
    )
    return {(row["owner_id"], end): row[f"e{i}"] or 0 for row in rows for i, end in enumerate(ends)}
