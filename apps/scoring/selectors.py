"""Scorecard figures (SPEC §5), computed from the records in set-based queries.

`scorecards()` computes every measure for every consultant of some stores over any
number of periods in a FIXED number of queries (one per source table, grouped by
consultant and calendar month in the store time zone), then adds months up into
quarters and years in Python — summing a few aggregate rows, never looping over
records. The sums are additive because the months of a period are disjoint: even
"distinct working days" is the sum of each month's distinct days.

Normalised score per measure (the rule, documented for the closing note):
  achievement = actual ÷ benchmark, capped at the template's cap (default 120 %),
  score = achievement × 100. The benchmark is, in order:
    1. the consultant's plan target for the period (approved plans; the target whose
       period equals the scorecard period, else the sum of the month targets in it);
    2. the store's standard for the measure, set in the scorecard template;
    3. a natural one for rates: report compliance against 100 %, the late-entry rate
       scores (1 − rate);
    4. the average of the store's consultants in the same period (peer-relative).
  For lower-is-better measures (costs, expense ratio, lost customers) the ratio is
  inverted (benchmark ÷ actual). A measure whose actual is "—" (zero denominator)
  or whose benchmark is zero is left out of the total, and its weight with it, so a
  consultant is neither rewarded nor punished for a figure that does not exist.
  Why: a target is what pay is agreed on, so it comes first; where none was set the
  store's own average is the only fair yardstick that exists for every measure, and
  the cap keeps one outstanding figure from hiding weak ones.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import TruncDate, TruncMonth

from apps.activities.models import DailyReport, Visit
from apps.appointments.selectors import monthly_by_consultant as monthly_appointments
from apps.customers.counts import owners_customers_at
from apps.customers.models import Customer, CustomerSpan, OwnershipChange
from apps.org.models import Store, User
from apps.org.roles import Role
from apps.plans.models import PlanStatus, ScopeType, Target
from apps.sales.models import Allocation, Order, OrderStatus
from apps.training.selectors import monthly_by_consultant as monthly_training

from .measures import BY_NAME, CRITERIA, NAMES, RATES, SCOREABLE
from .models import PeriodClose, Rating, ScorecardTemplate, default_weights
from .periods import Period, parse

ZERO = Decimal(0)
CENT = Decimal("0.01")
RATE = Decimal("0.0001")
TENTH = Decimal("0.1")
# Plans measure name → scorecard measure name.
TARGET_MEASURES = {m.target: m.name for m in BY_NAME.values() if m.target}


def store_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the store's time zone."""
    return datetime.combine(day, time.min, tzinfo=store_tz())


def _month(value: Any) -> date:
    return date(value.year, value.month, 1)


def _div(num: Any, den: Any, quantum: Decimal = CENT, scale: int = 1) -> Decimal | None:
    """num ÷ den × scale, rounded; None (shown "—") when the denominator is zero."""
    if not den:
        return None
    return (Decimal(num) * scale / Decimal(den)).quantize(quantum, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------
# Raw monthly sums


def not_cancelled(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.exclude(status=OrderStatus.CANCELLED)


def owner_then(before: Q, after: Q) -> Case:
    """A customer's owner at a moment, from his ownership history: the new owner of the
    last change before it, else the old owner of the first change after it, else today's
    owner (never changed). `before`/`after` select the changes either side of the moment."""
    # `day`: the change's local date, for a moment given as a per-row date.
    changes = OwnershipChange.objects.filter(customer=OuterRef("pk")).annotate(
        day=TruncDate("at", tzinfo=store_tz())
    )
    earlier = changes.filter(before).order_by("-at", "-pk")
    later = changes.filter(after).order_by("at", "pk")
    return Case(
        When(Exists(earlier), then=Subquery(earlier.values("to_owner_id")[:1])),
        When(Exists(later), then=Subquery(later.values("from_owner_id")[:1])),
        default=F("owner_id"),
        output_field=IntegerField(),
    )


def customers_at(end: date, owner_id: int) -> QuerySet[Customer]:
    """The customers who were "customers" of `owner_id` at the end of `end` (SPEC §5
    客户数; the rule is apps/customers/counts.py's): the files with a counted span of
    his over that day."""
    spans = CustomerSpan.objects.filter(customer=OuterRef("pk"), owner_id=owner_id, start__lte=end).filter(
        Q(end__isnull=True) | Q(end__gt=end)
    )
    return Customer.objects.filter(Exists(spans))


def lost_with_owner() -> QuerySet[Customer]:
    """Customers who became lost after an earlier order, with `owner_then`: who owned
    them on the day they were lost (SPEC §5 流失老客户)."""
    # An order not cancelled dated before the loss: the first one is.
    return Customer.objects.filter(lost_on__isnull=False, first_order_on__lt=F("lost_on")).annotate(
        owner_then=owner_then(Q(day__lte=OuterRef("lost_on")), Q(day__gt=OuterRef("lost_on")))
    )


def _monthly(consultant_ids: list[int], start: date, end: date) -> dict[tuple[int, date], dict[str, Any]]:
    """Additive raw sums per (consultant, month): ten queries whatever the size."""
    raw: dict[tuple[int, date], dict[str, Any]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    tz = store_tz()

    orders = (
        not_cancelled(Order.objects.filter(consultant_id__in=consultant_ids, order_date__range=(start, end)))
        .annotate(m=TruncMonth("order_date"))
        .values("consultant_id", "m")
        .annotate(revenue=Sum("amount"), units=Count("pk"), gp=Sum(F("amount") - F("cost")))
        .order_by()
    )
    for row in orders:
        bucket = raw[row["consultant_id"], _month(row["m"])]
        bucket["revenue"] += row["revenue"]
        bucket["units"] += row["units"]
        bucket["gross_profit"] += row["gp"]

    # Collections: allocations of payments received in the period to receivables the
    # consultant is responsible for; a reversal's negative allocations net out.
    collections = (
        Allocation.objects.filter(
            receivable__responsible_id__in=consultant_ids, payment__received_on__range=(start, end)
        )
        .annotate(m=TruncMonth("payment__received_on"))
        .values("receivable__responsible_id", "m")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in collections:
        raw[row["receivable__responsible_id"], _month(row["m"])]["collections"] += row["total"]

    # Visits by their start in the store's time zone: their sums per month in one pass,
    # then the visit days that count as working days here, those without a submitted
    # daily report (the report days are counted with the reports), so the two counts add
    # up to distinct days. Only the visits of days without a report are sorted to count
    # their distinct days, not all visits.
    visits = Visit.objects.filter(
        consultant_id__in=consultant_ids,
        started_at__gte=day_start(start),
        started_at__lt=day_start(end + timedelta(days=1)),
    ).annotate(m=TruncMonth("started_at", tzinfo=tz))
    # Only columns of the index on (consultant, started_at): counted by started_at, not pk.
    sums = (
        visits.values("consultant_id", "m")
        .annotate(
            visits=Count("started_at"),
            minutes=Sum("minutes"),
            expense=Sum("expense"),
            late=Count("late", filter=Q(late=True)),
        )
        .order_by()
    )
    for row in sums:
        bucket = raw[row["consultant_id"], _month(row["m"])]
        for key in ("visits", "minutes", "expense", "late"):
            bucket[key] += row[key] or 0
    # The period's reports only: a hash of them is small.
    report_that_day = DailyReport.objects.filter(
        consultant_id__in=consultant_ids, date__range=(start, end), submitted_at__isnull=False
    ).filter(consultant_id=OuterRef("consultant_id"), date=OuterRef("day"))
    lone = (
        visits.annotate(day=TruncDate("started_at", tzinfo=tz))
        .filter(~Exists(report_that_day))
        .values("consultant_id", "m")
        .annotate(days=Count("day", distinct=True))
        .order_by()
    )
    for row in lone:
        raw[row["consultant_id"], _month(row["m"])]["lone_days"] += row["days"]

    reports = (
        DailyReport.objects.filter(
            consultant_id__in=consultant_ids, date__range=(start, end), submitted_at__isnull=False
        )
        .annotate(m=TruncMonth("date"))
        .values("consultant_id", "m")
        .annotate(days=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
        .order_by()
    )
    for row in reports:
        bucket = raw[row["consultant_id"], _month(row["m"])]
        bucket["report_days"] += row["days"]
        bucket["on_time"] += row["on_time"]

    new = (
        Customer.objects.filter(owner_id__in=consultant_ids, first_order_on__range=(start, end))
        .annotate(m=TruncMonth("first_order_on"))
        .values("owner_id", "m")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in new:
        raw[row["owner_id"], _month(row["m"])]["new_customers"] += row["n"]

    lost = (
        lost_with_owner()  # type: ignore[misc]
        .filter(lost_on__range=(start, end), owner_then__in=consultant_ids)
        .annotate(m=TruncMonth("lost_on"))
        .values("owner_then", "m")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in lost:
        raw[row["owner_then"], _month(row["m"])]["lost_customers"] += row["n"]

    for (uid, month), row in monthly_appointments(consultant_ids, start, end).items():
        bucket = raw[uid, _month(month)]
        bucket["appointments"] += row["invitations"]
        bucket["attended"] += row["attended"]

    for (uid, month), row in monthly_training(consultant_ids, start, end).items():
        raw[uid, _month(month)]["training_hours"] += row["hours"] or ZERO
    return raw


def _customers_at(
    consultant_ids: list[int], ends: list[date], store_ids: list[int]
) -> dict[tuple[int, date], int]:
    """Customers per (owner then, period end), for every period end: one scan of the
    customer counts rollup of the scorecards' stores (a scorecard is a store's)."""
    return owners_customers_at(owner_ids=consultant_ids, store_ids=store_ids, ends=ends)


def _date(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def figures_from_raw(raw: dict[str, Any], customers: int) -> dict[str, Any]:
    """Every SPEC §5 measure from a period's raw sums (None where a denominator is 0)."""
    revenue = Decimal(raw.get("revenue", ZERO))
    units = int(raw.get("units", 0))
    visits = int(raw.get("visits", 0))
    days = int(raw.get("report_days", 0)) + int(raw.get("lone_days", 0))
    expense = Decimal(raw.get("expense", ZERO))
    return {
        "sales_revenue": revenue.quantize(CENT),
        "units": units,
        "collections": Decimal(raw.get("collections", ZERO)).quantize(CENT),
        "gross_profit": Decimal(raw.get("gross_profit", ZERO)).quantize(CENT),
        "customers": customers,
        "new_customers": int(raw.get("new_customers", 0)),
        "lost_customers": int(raw.get("lost_customers", 0)),
        "working_days": days,
        "visits": visits,
        "visits_per_day": _div(visits, days),
        "minutes_per_visit": _div(raw.get("minutes", 0), visits, TENTH),
        "revenue_per_visit_day": _div(revenue, days),
        "cost_per_visit": _div(expense, visits),
        "orders_per_100_visits": _div(units, visits, scale=100),
        "expense_ratio": _div(expense, revenue, RATE),
        "report_compliance": _div(raw.get("on_time", 0), days, RATE),
        "late_entry_rate": _div(raw.get("late", 0), visits, RATE),
        "appointments": int(raw.get("appointments", 0)),
        "arrival_rate": _div(raw.get("attended", 0), raw.get("appointments", 0), RATE),
        "training_hours": Decimal(raw.get("training_hours", 0)).quantize(Decimal("0.1")),
    }


def _targets(consultant_ids: list[int], periods: list[Period]) -> dict[tuple[int, str], dict[str, Decimal]]:
    """Each consultant's targets per period key and scorecard measure: one query."""
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    rows = (
        Target.objects.filter(
            consultant_id__in=consultant_ids,
            scope_type=ScopeType.CONSULTANT,
            plan__status=PlanStatus.APPROVED,
            period_start__gte=start,
            period_end__lte=end,
        )
        .values("consultant_id", "measure", "period_start", "period_end")
        .annotate(value=Sum("value"))
        .order_by()
    )
    exact: dict[tuple[int, str, date, date], Decimal] = {}
    for row in rows:
        exact[row["consultant_id"], row["measure"], row["period_start"], row["period_end"]] = row["value"]
    out: dict[tuple[int, str], dict[str, Decimal]] = defaultdict(dict)
    for (cid, measure, p_start, p_end), value in exact.items():
        name = TARGET_MEASURES.get(measure)
        if name is None:
            continue
        for period in periods:
            if (p_start, p_end) == (period.start, period.end):
                out[cid, period.key][name] = value
    for (cid, measure, p_start, p_end), value in exact.items():
        name = TARGET_MEASURES.get(measure)
        if name is None or p_start.day != 1 or parse(f"{p_start:%Y-%m}").end != p_end:
            continue  # not a month target
        for period in periods:
            if period.kind != "month" and period.start <= p_start and p_end <= period.end:
                if (p_start, p_end) == (period.start, period.end):
                    continue
                if (cid, measure, period.start, period.end) in exact:
                    continue  # a target for the whole period wins over its months
                current = out[cid, period.key]
                current[name] = current.get(name, ZERO) + value
    return out


# ---------------------------------------------------------------------------
# Scorecards


@dataclass
class Card:
    consultant_id: int
    name: str
    store_id: int
    team_id: int | None
    team: str
    period: Period
    figures: dict[str, Any]
    targets: dict[str, Decimal] = field(default_factory=dict)
    achievement: dict[str, Decimal | None] = field(default_factory=dict)
    scores: dict[str, Decimal | None] = field(default_factory=dict)
    rating: dict[str, Any] | None = None
    score: Decimal | None = None
    rank_team: int | None = None
    rank_store: int | None = None
    closed: bool = False
    changed: list[tuple[str, Any, Any]] = field(default_factory=list)

    @property
    def rank(self) -> int | None:
        return self.rank_store


def consultants_of(stores: QuerySet[Store] | list[Store]) -> QuerySet[User]:
    """The consultants of these stores, each with the store he is scored in."""
    store_ids = [s.pk for s in stores]
    return (
        User.objects.filter(role=Role.CONSULTANT, is_active=True, stores__in=store_ids)
        .annotate(store_id=Min("stores__id", filter=Q(stores__in=store_ids)))
        .select_related("team")
        .distinct()
        .order_by("username")
    )


def templates_for(store_ids: list[int]) -> dict[int, dict[str, Any]]:
    found = {t.store_id: t for t in ScorecardTemplate.objects.filter(store_id__in=store_ids)}
    out = {}
    for sid in store_ids:
        t = found.get(sid)
        out[sid] = {
            "weights": {k: int(v) for k, v in (t.weights if t else default_weights()).items() if int(v) > 0},
            "standards": {
                k: Decimal(str(v)) for k, v in (t.standards if t else {}).items() if v not in (None, "")
            },
            "cap": int(t.cap) if t else 120,
        }
    return out


def _achievement(name: str, actual: Any, target: Decimal | None, standard: Decimal | None, peer: Any) -> Any:
    if actual is None:
        return None
    measure = SCOREABLE[name]
    actual = Decimal(actual)
    lower = measure.better == "lower"
    if name == "rating":
        return actual / 5
    benchmark = target if target is not None else standard
    if benchmark is None and name in RATES and name != "expense_ratio":
        return actual if not lower else 1 - actual
    if benchmark is None:
        benchmark = peer
    if benchmark is None:
        return None
    benchmark = Decimal(benchmark)
    if lower:
        if actual == 0:
            return Decimal(10)  # nothing spent, nothing late: capped below
        return benchmark / actual if benchmark else None
    return actual / benchmark if benchmark else None


def _score_cards(cards: list[Card], templates: dict[int, dict[str, Any]]) -> None:
    """Normalised scores, totals and ranks (see the module docstring for the rule)."""
    by_group: dict[tuple[int, str], list[Card]] = defaultdict(list)
    for card in cards:
        by_group[card.store_id, card.period.key].append(card)
    for group in by_group.values():
        template = templates[group[0].store_id]
        cap = Decimal(template["cap"]) / 100
        peers: dict[str, Decimal | None] = {}
        for name in template["weights"]:
            values = [Decimal(c.figures[name]) for c in group if c.figures.get(name) is not None]
            peers[name] = (sum(values, ZERO) / len(values)) if values else None
        for card in group:
            total = weight_sum = ZERO
            for name, weight in template["weights"].items():
                if name not in SCOREABLE:
                    continue
                actual = (
                    card.rating["average"] if name == "rating" and card.rating else card.figures.get(name)
                )
                target = card.targets.get(name)
                ach = _achievement(name, actual, target, template["standards"].get(name), peers.get(name))
                if target is not None and actual is not None:
                    card.achievement[name] = _div(actual, target, RATE)
                if ach is None:
                    card.scores[name] = None
                    continue
                score = (min(max(ach, ZERO), cap) * 100).quantize(TENTH, rounding=ROUND_HALF_UP)
                card.scores[name] = score
                total += score * weight
                weight_sum += weight
            card.score = (total / weight_sum).quantize(TENTH, rounding=ROUND_HALF_UP) if weight_sum else None
        _rank(group, "rank_store", lambda c: c.store_id)
        _rank(group, "rank_team", lambda c: c.team_id)


def _rank(group: list[Card], attr: str, key: Any) -> None:
    """Competition ranking (1, 1, 3) by total score; no score, no rank."""
    buckets: dict[Any, list[Card]] = defaultdict(list)
    for card in group:
        if card.score is not None and key(card) is not None:
            buckets[key(card)].append(card)
    for members in buckets.values():
        members.sort(key=lambda c: c.score or ZERO, reverse=True)
        for card in members:
            setattr(
                card, attr, 1 + sum(1 for other in members if (other.score or ZERO) > (card.score or ZERO))
            )


def scorecards(*, stores: list[Store], periods: list[Period]) -> dict[tuple[int, str], Card]:
    """The scorecard of every consultant of `stores` for every period, keyed by
    (consultant id, period key). Closed periods come from their frozen snapshot
    (with the live differences in `changed`). A fixed number of queries: consultants,
    templates, the monthly sums (orders … training), customers, targets, ratings, closes =
    15."""
    users = list(consultants_of(stores))
    ids = [u.pk for u in users]
    store_ids = sorted({s.pk for s in stores})
    templates = templates_for(store_ids)
    if not ids or not periods:
        return {}
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    raw = _monthly(ids, start, end)
    customer_counts = _customers_at(ids, [p.end for p in periods], store_ids)
    targets = _targets(ids, periods)
    ratings = _ratings(ids, [p.key for p in periods])
    closes = {
        (c.store_id, c.period): c.snapshot
        for c in PeriodClose.objects.filter(store_id__in=store_ids, period__in=[p.key for p in periods])
    }
    cards: list[Card] = []
    for user in users:
        for period in periods:
            sums: dict[str, Any] = defaultdict(lambda: ZERO)
            for m in period.months:
                for k, v in raw.get((user.pk, m), {}).items():
                    sums[k] += v
            customers = customer_counts.get((user.pk, period.end), 0)
            cards.append(
                Card(
                    consultant_id=user.pk,
                    name=str(user),
                    store_id=user.store_id,  # type: ignore[attr-defined]
                    team_id=user.team_id,
                    team=user.team.name if user.team else "",
                    period=period,
                    figures=figures_from_raw(sums, customers),
                    targets=targets.get((user.pk, period.key), {}),
                    rating=ratings.get((user.pk, period.key)),
                )
            )
    _score_cards(cards, templates)
    out = {(c.consultant_id, c.period.key): c for c in cards}
    for (store_id, key), snapshot in closes.items():
        for cid, frozen in snapshot.get("consultants", {}).items():
            card = out.get((int(cid), key))
            if card is not None and card.store_id == store_id:
                out[int(cid), key] = thaw(frozen, live=card)
    return out


def _ratings(ids: list[int], keys: list[str]) -> dict[tuple[int, str], dict[str, Any]]:
    out = {}
    for r in Rating.objects.filter(consultant_id__in=ids, period__in=keys).select_related("rated_by"):
        out[r.consultant_id, r.period] = {
            "id": r.pk,
            "average": r.average,
            "comment": r.comment,
            "rated_by": str(r.rated_by),
            **{c: getattr(r, c) for c, _label in CRITERIA},
        }
    return out


# ---------------------------------------------------------------------------
# Snapshots


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def freeze(card: Card) -> dict[str, Any]:
    """A card as JSON (Decimals as strings)."""
    return {
        "name": card.name,
        "team_id": card.team_id,
        "team": card.team,
        "figures": _plain(card.figures),
        "targets": _plain(card.targets),
        "achievement": _plain(card.achievement),
        "scores": _plain(card.scores),
        "rating": _plain(card.rating),
        "score": _plain(card.score),
        "rank_team": card.rank_team,
        "rank_store": card.rank_store,
    }


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _thaw_figure(name: str, value: Any) -> Any:
    if value is None:
        return None
    return int(value) if BY_NAME[name].kind == "count" else Decimal(value)


def thaw(frozen: dict[str, Any], *, live: Card) -> Card:
    """The frozen card, with the figures that differ from the live ones in `changed`."""
    figures = {name: _thaw_figure(name, frozen["figures"].get(name)) for name in NAMES}
    rating = frozen.get("rating")
    if rating:
        rating = {**rating, "average": _dec(rating.get("average"))}
    card = Card(
        consultant_id=live.consultant_id,
        name=frozen.get("name", live.name),
        store_id=live.store_id,
        team_id=frozen.get("team_id"),
        team=frozen.get("team", ""),
        period=live.period,
        figures=figures,
        targets={k: Decimal(v) for k, v in frozen.get("targets", {}).items()},
        achievement={k: _dec(v) for k, v in frozen.get("achievement", {}).items()},
        scores={k: _dec(v) for k, v in frozen.get("scores", {}).items()},
        rating=rating,
        score=_dec(frozen.get("score")),
        rank_team=frozen.get("rank_team"),
        rank_store=frozen.get("rank_store"),
        closed=True,
    )
    # A measure added after the period was closed is not "changed": it was never frozen.
    card.changed = [
        (n, figures[n], live.figures[n])
        for n in NAMES
        if n in frozen["figures"] and figures[n] != live.figures[n]
    ]
    return card


def trend(*, store: Store, consultant_id: int, period: Period) -> list[Card]:
    """The consultant's monthly cards for the 12 months ending with `period`."""
    months = period.previous_months(12)
    cards = scorecards(stores=[store], periods=months)
    return [cards[consultant_id, m.key] for m in months if (consultant_id, m.key) in cards]


# ---------------------------------------------------------------------------
# The records behind a figure

DRILLS = {
    "orders",
    "collections",
    "customers",
    "new_customers",
    "lost_customers",
    "visits",
    "late_visits",
    "daily_reports",
    "working_days",
}


def drill(*, consultant: User, period: Period, kind: str) -> dict[str, QuerySet[Any]]:
    """The records a figure of `consultant` in `period` was computed from."""
    start, after = day_start(period.start), day_start(period.end + timedelta(days=1))
    span = (period.start, period.end)
    visits = Visit.objects.filter(
        consultant=consultant, started_at__gte=start, started_at__lt=after
    ).select_related("customer")
    reports = DailyReport.objects.filter(consultant=consultant, date__range=span, submitted_at__isnull=False)
    owned = Customer.objects.filter(owner=consultant).annotate(first=F("first_order_on"))
    if kind == "orders":
        orders = not_cancelled(Order.objects.filter(consultant=consultant, order_date__range=span))
        return {"orders": orders.select_related("customer", "vehicle_model").order_by("order_date", "pk")}
    if kind == "collections":
        allocations = Allocation.objects.filter(
            receivable__responsible=consultant, payment__received_on__range=span
        )
        return {
            "allocations": allocations.select_related(
                "payment", "receivable__customer", "receivable__order"
            ).order_by("payment__received_on", "pk")
        }
    if kind == "customers":
        customers = customers_at(period.end, consultant.pk).annotate(first=F("first_order_on"))
        return {"customers": customers.order_by("name")}
    if kind == "new_customers":
        return {"customers": owned.filter(first__range=span).order_by("first", "name")}
    if kind == "lost_customers":
        lost = lost_with_owner().filter(owner_then=consultant.pk, lost_on__range=span)  # type: ignore[misc]
        return {"customers": lost.annotate(first=F("first_order_on")).order_by("lost_on")}
    if kind == "visits":
        return {"visits": visits.order_by("started_at")}
    if kind == "late_visits":
        return {"visits": visits.filter(late=True).order_by("started_at")}
    if kind == "daily_reports":
        return {"reports": reports.order_by("date")}
    if kind == "working_days":
        return {"reports": reports.order_by("date"), "visits": visits.order_by("started_at")}
    raise KeyError(kind)
