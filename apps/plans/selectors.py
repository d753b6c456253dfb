"""Reads: actuals from the records, tracking figures and the target tree.

Actuals are never typed in. For a plan view the records are read with ONE aggregate
query per measure family, grouped by day and by every dimension a node can be scoped
by (consultant, vehicle model, body type, settlement); each node's actual is then summed
in memory from those grouped rows. So a plan of 864 nodes costs the same queries as a
plan of 6:

- sales (units, revenue, gross profit): Order, status ≠ cancelled, by order_date;
- collections: Allocation (counter-entries are negative and net out), by the payment's
  received_on, the receivable's responsible consultant;
- new customers: customers whose first non-cancelled order falls in the period, by owner;
- visits: Visit by consultant and started_at (local date, Asia/Shanghai).

Status rule (documented on the plan page too): the actual is compared with what was
expected by now, expected = target × the share of the period's days elapsed (today
counted). Green when actual ≥ expected, amber from 90% of expected, red below. A count
(units, customers, visits) less than one whole unit short is on track: nobody sells a
third of a car. During the grace — the first tenth of the period — a shortfall has no
colour yet ("too early"): on the 1st of the month 0 of 1 is not "behind". A period that
has not started has no status. A day target is judged when the day is over: today it is
green once met and has no colour before ("in progress"). The run-rate projection (actual ÷ elapsed) is shown
beside it, and an actual over the target reads "ahead by" the excess.
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.org.models import Store, User
from apps.org.roles import Role

from .models import (
    DEFAULT_WEEKDAY_WEIGHTS,
    INTEGER_MEASURES,
    ClosedDay,
    Measure,
    Plan,
    ScopeType,
    Target,
    WorkCalendar,
)
from .periods import elapsed_fraction

GREEN, AMBER, RED = "green", "amber", "red"
KEY_ACCOUNT = "company"  # customers.Kind.COMPANY: a key account (大客户)

SALES = {Measure.UNITS, Measure.REVENUE, Measure.GROSS_PROFIT}
PRODUCT_SCOPES = {ScopeType.VEHICLE_MODEL, ScopeType.BODY_TYPE, ScopeType.SETTLEMENT}
# Measures that have no product or settlement dimension.
PEOPLE_ONLY = {Measure.NEW_CUSTOMERS, Measure.VISITS}
# Region and key-customer nodes: the key of customers without a district, and the
# customer filter meaning "every customer who is not a key account".
NO_REGION = "-"
OTHER_CUSTOMERS = 0


@dataclass
class Filters:
    """The narrowing a node inherits from its path (None: not narrowed)."""

    consultants: frozenset[int] | None = None
    vehicle_model: int | None = None
    body_type: str | None = None
    settlement: str | None = None
    region: str | None = None
    """The customer's district (SPEC §1 region); "" for customers without one."""
    customer: int | None = None
    """A key account; OTHER_CUSTOMERS: every customer who is not a key account."""

    @property
    def by_customer(self) -> bool:
        return self.region is not None or self.customer is not None

    def narrowed(
        self, scope_type: str, scope_id: int | None, scope_code: str, teams: dict[int, set[int]]
    ) -> "Filters":
        f = Filters(
            self.consultants, self.vehicle_model, self.body_type, self.settlement, self.region, self.customer
        )
        if scope_type == ScopeType.CONSULTANT and scope_id is not None:
            people = frozenset({scope_id})
            f.consultants = people if f.consultants is None else f.consultants & people
        elif scope_type == ScopeType.TEAM and scope_id is not None:
            people = frozenset(teams.get(scope_id, set()))
            f.consultants = people if f.consultants is None else f.consultants & people
        elif scope_type == ScopeType.VEHICLE_MODEL:
            f.vehicle_model = scope_id
        elif scope_type == ScopeType.BODY_TYPE:
            f.body_type = scope_code
        elif scope_type == ScopeType.SETTLEMENT:
            f.settlement = scope_code
        elif scope_type == ScopeType.REGION:
            f.region = "" if scope_code == NO_REGION else scope_code
        elif scope_type == ScopeType.CUSTOMER:
            f.customer = scope_id if scope_id is not None else OTHER_CUSTOMERS
        return f


@dataclass
class Spec:
    measure: str
    start: date
    end: date
    filters: Filters


@dataclass
class _Rows:
    """Grouped rows of one family, indexed by consultant and sorted by date for bisecting."""

    rows: list[tuple[Any, ...]] = field(
        default_factory=list
    )  # (day, consultant, model, body, settlement, *values)
    by_consultant: dict[int, list[tuple[Any, ...]]] = field(default_factory=dict)
    days: list[date] = field(default_factory=list)
    days_by_consultant: dict[int, list[date]] = field(default_factory=dict)

    def index(self) -> "_Rows":
        self.rows.sort(key=lambda r: r[0])
        self.days = [r[0] for r in self.rows]
        grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for r in self.rows:
            grouped[r[1]].append(r)
        self.by_consultant = dict(grouped)
        self.days_by_consultant = {c: [r[0] for r in rs] for c, rs in grouped.items()}
        return self

    def total(self, spec: Spec, column: int) -> Decimal:
        f = spec.filters
        if f.consultants is None:
            chunks = [(self.rows, self.days)]
        else:
            chunks = [
                (self.by_consultant.get(c, []), self.days_by_consultant.get(c, [])) for c in f.consultants
            ]
        total = Decimal(0)
        for rows, days in chunks:
            lo, hi = bisect_left(days, spec.start), bisect_right(days, spec.end)
            for r in rows[lo:hi]:
                if f.vehicle_model is not None and r[2] != f.vehicle_model:
                    continue
                if f.body_type is not None and r[3] != f.body_type:
                    continue
                if f.settlement is not None and r[4] != f.settlement:
                    continue
                if f.by_customer:
                    customer_id, region, key_account = r[-1]
                    if f.region is not None and (region or "") != f.region:
                        continue
                    if f.customer == OTHER_CUSTOMERS and key_account:
                        continue
                    if f.customer and customer_id != f.customer:
                        continue
                total += r[column]
        return total


def _aware(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def _sales_rows(store: Store, start: date, end: date) -> _Rows:
    from apps.sales.models import Order, OrderStatus

    qs = (
        Order.objects.filter(store=store, order_date__range=(start, end))
        .exclude(status=OrderStatus.CANCELLED)
        .values(
            "order_date",
            "consultant_id",
            "vehicle_model_id",
            "vehicle_model__body_type",
            "settlement",
            "customer_id",
            "customer__region",
            "customer__kind",
        )
        .annotate(units=Count("pk"), revenue=Sum("amount"), gp=Sum(F("amount") - F("cost")))
        .order_by()
    )
    rows = [
        (
            r["order_date"],
            r["consultant_id"],
            r["vehicle_model_id"],
            r["vehicle_model__body_type"],
            r["settlement"],
            Decimal(r["units"]),
            r["revenue"] or Decimal(0),
            r["gp"] or Decimal(0),
            (r["customer_id"], r["customer__region"], r["customer__kind"] == KEY_ACCOUNT),
        )
        for r in qs
    ]
    return _Rows(rows).index()


def _collection_rows(store: Store, start: date, end: date) -> _Rows:
    from apps.sales.models import Allocation

    qs = (
        # payment__store too (a payment is in its customer's store, like his receivables):
        # the (store, received_on) index of payments then finds the window's rows.
        Allocation.objects.filter(
            receivable__store=store, payment__store=store, payment__received_on__range=(start, end)
        )
        .values(
            "payment__received_on",
            "receivable__responsible_id",
            "receivable__order__vehicle_model_id",
            "receivable__order__vehicle_model__body_type",
            "receivable__order__settlement",
            "receivable__customer_id",
            "receivable__customer__region",
            "receivable__customer__kind",
        )
        .annotate(total=Sum("amount"))
        .order_by()
    )
    rows = [
        (
            r["payment__received_on"],
            r["receivable__responsible_id"],
            r["receivable__order__vehicle_model_id"],
            r["receivable__order__vehicle_model__body_type"],
            r["receivable__order__settlement"],
            r["total"] or Decimal(0),
            (
                r["receivable__customer_id"],
                r["receivable__customer__region"],
                r["receivable__customer__kind"] == KEY_ACCOUNT,
            ),
        )
        for r in qs
    ]
    return _Rows(rows).index()


def _new_customer_rows(store: Store, start: date, end: date) -> _Rows:
    from apps.sales.models import Order, OrderStatus

    # A customer is new on the day of his first order that was not cancelled. Read from
    # the window's orders (an order is in its customer's store) less the customers who
    # ordered before it, not from a first-order date computed over every customer of
    # the store. One row per new customer (grouping by an aggregate is not portable
    # SQL); they are counted per day and owner here.
    live = Order.objects.exclude(status=OrderStatus.CANCELLED)
    earlier = live.filter(customer=OuterRef("customer"), order_date__lt=start)
    qs = (
        live.filter(store=store, order_date__range=(start, end), customer__store=store)
        .filter(customer__owner__isnull=False)
        .exclude(Exists(earlier))
        .values("customer_id", "customer__owner_id")
        .annotate(first=Min("order_date"))
        .values_list("first", "customer__owner_id")
        .order_by()
    )
    counts: dict[tuple[date, int], int] = defaultdict(int)
    for first, owner in qs:
        counts[(first, owner)] += 1
    rows = [(day, owner, None, None, None, Decimal(n)) for (day, owner), n in counts.items()]
    return _Rows(rows).index()


def _visit_rows(store: Store, start: date, end: date) -> _Rows:
    from apps.activities.models import Visit

    qs = (
        Visit.objects.filter(
            store=store, started_at__gte=_aware(start), started_at__lt=_aware(end + timedelta(days=1))
        )
        .annotate(day=TruncDate("started_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "consultant_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [(_day(r["day"]), r["consultant_id"], None, None, None, Decimal(r["n"])) for r in qs]
    return _Rows(rows).index()


def actuals(store: Store, specs: list[Spec]) -> list[Decimal | None]:
    """The actual of each spec: one aggregate query per measure family present."""
    if not specs:
        return []
    start = min(s.start for s in specs)
    end = max(s.end for s in specs)
    measures = {s.measure for s in specs}
    families: dict[str, _Rows] = {}
    if measures & SALES:
        families["sales"] = _sales_rows(store, start, end)
    if Measure.COLLECTIONS in measures:
        families["collections"] = _collection_rows(store, start, end)
    if Measure.NEW_CUSTOMERS in measures:
        families["new_customers"] = _new_customer_rows(store, start, end)
    if Measure.VISITS in measures:
        families["visits"] = _visit_rows(store, start, end)
    column = {
        Measure.UNITS: ("sales", 5),
        Measure.REVENUE: ("sales", 6),
        Measure.GROSS_PROFIT: ("sales", 7),
        Measure.COLLECTIONS: ("collections", 5),
        Measure.NEW_CUSTOMERS: ("new_customers", 5),
        Measure.VISITS: ("visits", 5),
    }
    out: list[Decimal | None] = []
    for spec in specs:
        family, col = column[Measure(spec.measure)]
        f = spec.filters
        if spec.measure in PEOPLE_ONLY and (f.vehicle_model or f.body_type or f.settlement or f.by_customer):
            out.append(None)
            continue
        out.append(families[family].total(spec, col))
    return out


def work_calendar(store: Store, start: date, end: date) -> tuple[dict[str, float], set[date]]:
    """The store's weekday weights and its closed dates in [start, end] (two queries)."""
    cal = WorkCalendar.objects.filter(store=store).first()
    weights = cal.weights() if cal else dict(DEFAULT_WEEKDAY_WEIGHTS)
    closed = set(
        ClosedDay.objects.filter(store=store, date__range=(start, end)).values_list("date", flat=True)
    )
    return weights, closed


def team_members(store: Store) -> dict[int, set[int]]:
    """Team id → ids of its members (one query)."""
    members: dict[int, set[int]] = defaultdict(set)
    for uid, tid in User.objects.filter(team__store=store).values_list("pk", "team_id"):
        members[tid].add(uid)
    return dict(members)


def store_consultants(store: Store) -> list[User]:
    return list(
        User.objects.filter(stores=store, role=Role.CONSULTANT, is_active=True).order_by(
            "name", "username", "pk"
        )
    )


def node_filters(targets: Iterable[Target], teams: dict[int, set[int]]) -> dict[int, Filters]:
    """Each node's inherited filters, from the in-memory tree (parents before children)."""
    by_id = {t.pk: t for t in targets}
    cache: dict[int, Filters] = {}

    def of(t: Target) -> Filters:
        if t.pk in cache:
            return cache[t.pk]
        base = of(by_id[t.parent_id]) if t.parent_id in by_id else Filters()
        cache[t.pk] = base.narrowed(t.scope_type, t.scope_id, t.scope_code, teams)
        return cache[t.pk]

    for t in by_id.values():
        of(t)
    return cache


@dataclass
class Tracking:
    actual: Decimal | None
    achievement: float | None
    time_elapsed: float
    gap: Decimal | None
    projection: Decimal | None
    status: str | None
    expected: Decimal | None = None
    early: bool = False
    """In the grace period and short of the expected figure: no colour yet."""
    in_progress: bool = False
    """A day target on its own day, not met yet: judged when the day is over."""

    @property
    def ahead(self) -> Decimal | None:
        """How far the actual is over the target (None when it is not)."""
        return -self.gap if self.gap is not None and self.gap < 0 else None


GRACE = 0.10
AMBER_OF_EXPECTED = Decimal("0.90")


def track(
    value: Decimal, actual: Decimal | None, start: date, end: date, today: date, integer: bool = False
) -> Tracking:
    """Actual against the target and against what was expected by `today` (module docstring)."""
    elapsed = elapsed_fraction(start, end, today)
    if actual is None:
        return Tracking(None, None, elapsed, None, None, None)
    achievement = float(actual / value) if value else None
    gap = value - actual
    if elapsed <= 0:
        return Tracking(actual, achievement, elapsed, gap, None, None)
    projection = (actual / Decimal(str(elapsed))).quantize(Decimal("0.01"))
    expected = (value * Decimal(str(elapsed))).quantize(Decimal("0.01"))
    short = expected - actual
    if short <= 0 or (integer and short < 1):
        return Tracking(actual, achievement, elapsed, gap, projection, GREEN, expected)
    if start == end == today:
        return Tracking(
            actual, achievement, elapsed, gap, projection, None, expected, early=True, in_progress=True
        )
    if elapsed < GRACE:
        return Tracking(actual, achievement, elapsed, gap, projection, None, expected, early=True)
    status = AMBER if actual >= expected * AMBER_OF_EXPECTED else RED
    return Tracking(actual, achievement, elapsed, gap, projection, status, expected)


@dataclass
class Node:
    target: Target
    tracking: Tracking
    children: list["Node"] = field(default_factory=list)
    depth: int = 0

    @property
    def children_sum(self) -> Decimal:
        return sum((c.target.value for c in self.children), Decimal(0))

    @property
    def difference(self) -> Decimal:
        """Parent minus the sum of its children (0 when balanced or a leaf)."""
        return self.target.value - self.children_sum if self.children else Decimal(0)

    @property
    def is_integer(self) -> bool:
        return self.target.measure in INTEGER_MEASURES


def tracked(targets: list[Target], store: Store, today: date | None = None) -> dict[int, Tracking]:
    """Tracking figures for these targets of one store (a fixed number of queries)."""
    today = today or timezone.localdate()
    teams = team_members(store)
    filters = node_filters(targets, teams)
    specs = [Spec(t.measure, t.period_start, t.period_end, filters[t.pk]) for t in targets]
    values = actuals(store, specs)
    return {
        t.pk: track(t.value, a, t.period_start, t.period_end, today, t.is_integer)
        for t, a in zip(targets, values, strict=True)
    }


def plan_tree(plan: Plan, today: date | None = None) -> list[Node]:
    """The plan's roots with their subtrees, every node tracked. Queries: targets (1),
    team members (1), and one per measure family the plan has (≤ 4)."""
    targets = list(plan.targets.all())
    tracking = tracked(targets, plan.store, today)
    nodes = {t.pk: Node(t, tracking[t.pk]) for t in targets}
    roots: list[Node] = []
    for t in targets:
        node = nodes[t.pk]
        if t.parent_id is None:
            roots.append(node)
        else:
            nodes[t.parent_id].children.append(node)

    def set_depth(n: Node, d: int) -> None:
        n.depth = d
        n.children.sort(key=lambda c: (c.target.position, c.target.pk))
        for c in n.children:
            set_depth(c, d + 1)

    order = {m: i for i, m in enumerate(Measure.values)}
    roots.sort(key=lambda n: order.get(n.target.measure, 99))
    for r in roots:
        set_depth(r, 0)
    return roots


def imbalances(targets: list[Target]) -> list[tuple[Target, Decimal]]:
    """Nodes whose children do not add up to them, with parent − Σ children."""
    by_id = {t.pk: t for t in targets}
    sums: dict[int, Decimal] = defaultdict(Decimal)
    for t in targets:
        if t.parent_id is not None:
            sums[t.parent_id] += t.value
    return [(by_id[pk], by_id[pk].value - s) for pk, s in sums.items() if by_id[pk].value != s]


def my_targets(
    user: User, today: date | None = None, kinds: tuple[str, ...] = ("month", "week")
) -> dict[str, list[tuple[Target, Tracking]]]:
    """This month's and this week's (and, asked for, today's) consultant-level targets of
    the user, tracked, from approved plans. A week or day target is a node under his
    consultant node. Queries: the targets (1) and the actuals of each store (one per
    measure family)."""
    today = today or timezone.localdate()
    qs = list(
        Target.objects.filter(
            consultant=user,
            plan__status="approved",
            period_start__lte=today,
            period_end__gte=today,
            period_kind__in=list(kinds),
        )
        .select_related("plan__store")
        .order_by("period_kind", "measure", "pk")
    )
    # Only the nodes about the whole of his work in that period (no product slice).
    qs = [t for t in qs if t.scope_type in (ScopeType.CONSULTANT, ScopeType.STORE, ScopeType.TEAM)]
    out: dict[str, list[tuple[Target, Tracking]]] = {k: [] for k in kinds}
    by_store: dict[int, list[Target]] = defaultdict(list)
    for t in qs:
        by_store[t.plan.store_id].append(t)
    for targets in by_store.values():
        store = targets[0].plan.store
        # Filters: the consultant alone (his node and anything under it are about him).
        specs = [
            Spec(t.measure, t.period_start, t.period_end, Filters(consultants=frozenset({user.pk})))
            for t in targets
        ]
        for t, a in zip(targets, actuals(store, specs), strict=True):
            out[t.period_kind].append(
                (t, track(t.value, a, t.period_start, t.period_end, today, t.is_integer))
            )
    order = {m: i for i, m in enumerate(Measure.values)}
    for rows in out.values():
        rows.sort(key=lambda row: (order.get(row[0].measure, 99), row[0].period_start))
    return out


@dataclass
class AccuracyRow:
    consultant: User
    months: list[tuple[date, int, int, float | None]]  # (month, forecast, actual, accuracy)

    @property
    def average(self) -> float | None:
        values = [a for _m, _f, _a, a in self.months if a is not None]
        return sum(values) / len(values) if values else None


def month_accuracy(pairs: Iterable[tuple[int, int]]) -> float:
    """1 − Σ|forecast − actual| ÷ Σ actual over a month's models, floored at 0; a month
    with no sales is 100% if nothing was forecast, else 0%."""
    pairs = list(pairs)
    actual = sum(a for _f, a in pairs)
    error = sum(abs(f - a) for f, a in pairs)
    if actual == 0:
        return 1.0 if error == 0 else 0.0
    return max(0.0, 1 - error / actual)


def forecast_accuracy(forecasts: Any, today: date, months: int = 6) -> list[AccuracyRow]:
    """Accuracy per consultant over the past `months` months that have ended (2 queries:
    forecasts, and orders grouped by consultant, month and model)."""
    from apps.sales.models import Order, OrderStatus

    this_month = today.replace(day=1)
    first = this_month
    for _i in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    rows = list(
        forecasts.filter(month__gte=first, month__lt=this_month).values_list(
            "consultant_id", "month", "vehicle_model_id", "units"
        )
    )
    if not rows:
        return []
    people = {c for c, _m, _v, _u in rows}
    fc: dict[tuple[int, date], dict[int, int]] = defaultdict(dict)
    for c, m, v, u in rows:
        fc[(c, m)][v] = u
    act: dict[tuple[int, date], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for c, d, v in (
        Order.objects.filter(consultant_id__in=people, order_date__gte=first, order_date__lt=this_month)
        .exclude(status=OrderStatus.CANCELLED)
        .values_list("consultant_id", "order_date", "vehicle_model_id")
    ):
        if (c, d.replace(day=1)) in fc:
            act[(c, d.replace(day=1))][v] += 1
    users = {u.pk: u for u in User.objects.filter(pk__in=people)}
    out: dict[int, AccuracyRow] = {}
    for (c, m), models in sorted(fc.items(), key=lambda kv: kv[0][1]):
        actual = act.get((c, m), {})
        keys = set(models) | set(actual)
        pairs = [(models.get(k, 0), actual.get(k, 0)) for k in keys]
        row = out.setdefault(c, AccuracyRow(users[c], []))
        row.months.append((m, sum(f for f, _a in pairs), sum(a for _f, a in pairs), month_accuracy(pairs)))
    return sorted(out.values(), key=lambda r: (r.consultant.name, r.consultant.pk))


def consultant_targets(
    *, consultant_ids: Iterable[int], start: date, end: date, approved_only: bool = True
) -> dict[tuple[int, str], Decimal]:
    """(consultant id, measure) → the consultant's target for [start, end], for scoring.

    Sums his consultant-level nodes (no product or settlement slice) lying inside the
    range, taking only the topmost of them, so a consultant's year node and its months
    are not counted twice; a month range picks his month nodes, a quarter or year range
    adds them up. One query.
    """
    ids = list(consultant_ids)
    nodes = list(
        Target.objects.filter(
            consultant_id__in=ids,
            scope_type=ScopeType.CONSULTANT,
            period_start__gte=start,
            period_end__lte=end,
            **({"plan__status": "approved"} if approved_only else {}),
        ).values_list("pk", "parent_id", "consultant_id", "measure", "value")
    )
    inside = {pk for pk, *_rest in nodes}
    out: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for _pk, parent, consultant, measure, value in nodes:
        if parent in inside:
            continue  # its consultant-level ancestor inside the range already counts it
        out[(consultant, measure)] += value
    return dict(out)
