"""The monthly store summary (4S店月度总结, SPEC §7): every blank of the summary a store
manager used to fill in by hand, computed from the records.

`store_month(stores=…, month=…)` is the one selector behind the page, the XLSX and PDF
files and `GET /api/v1/store-months/`. It returns plain data (codes, ints, Decimals,
lists, dicts) so that a closed month can be frozen as JSON and read back unchanged.

It is set-based: every source is read with one aggregate query grouped by calendar
month over the 13 months from the same month last year (同比) to this month, which also
gives last month (环比) and the 12-month trends. Sales and collections come from the
plan tracking's `actuals()` (two queries per store) and the people figures from the
scorecards' `scorecards()`, so the summary, the plan page and the scorecards always
agree (a test compares them). Everything else is a fixed number of queries whatever
the number of records.

Definitions (SPEC §5 where it has one; an "order" is never a cancelled one):
- walk-ins: distinct customers with a showroom or test-drive visit in the month; new:
  their first such visit ever is in the month; returning: the others;
- leads: customer files created in the month; converted: of those, the ones that have
  an order (so far); conversion = converted ÷ leads;
- campaigns run in the month: any day of the campaign in the month; leads: customers
  attributed to it; deals: those of them with an order; cost per lead / per deal;
- callbacks (calls due in the month, as on the after-sales KPI page): done on time =
  finished no later than the due date; contact rate = reached ÷ call attempts;
  satisfaction = average score (1–5) of the calls due in the month, and ÷ 5 as a %;
- complaints received (opened) in the month; resolved = resolved or closed now;
  resolution hours = opened → resolved;
- maintenance on time: a first-service or maintenance visit is on time when it is no
  later than 7 days after its due date, the due date being the previous such visit
  (or the delivery) plus the model's service interval (or first-service) months. The
  vehicle's stored prediction moves with every mileage reading, so it cannot say
  afterwards when a visit was due; the calendar rule can, and it is the one the
  owner was told at delivery;
- lapsed owners at month end: vehicles delivered by then whose last service visit
  (or delivery) is more than 12 months before the month end (SPEC §6 流失预警);
- sales expenses: visit expenses in the month, against the month's budget (the plan's
  allocations to that month, else a twelfth of the plan's yearly budget);
- receivables aging at month end: open balances of orders dated by month end, aged on
  the month's last day;
- complaint escalation breaches: rungs of the complaint ladder that fired in the month
  (not acknowledged / answered / resolved in time, the store's escalation settings);
- appointments (邀约) whose day is in the month, as on the arrival-rate page: invitations
  (not cancelled), confirmed rate, arrival rate (邀约到店率) = attended ÷ invitations,
  no-show rate;
- referrals (转介绍): customer files created in the month that name a referrer;
  converted: of those, the ones with an order (so far); rewards given in the month;
- training (培训): sessions dated in the month, their hours, people trained (attendances),
  attendee hours (Σ hours × people) and the average assessment score.
A ratio whose denominator is zero is None ("—" on the page, null in the API).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from apps.activities.models import Channel as VisitChannel
from apps.activities.models import Visit
from apps.aftersales.models import (
    SERVICE_KINDS,
    Channel,
    Complaint,
    ComplaintStatus,
    FollowUp,
    FollowUpStatus,
    Outcome,
    ServiceVisit,
    Vehicle,
)
from apps.appointments.selectors import store_by_month as appointments_by_month
from apps.customers.models import Campaign, Customer, ReferralReward
from apps.escalations.selectors import complaint_breaches_by_month
from apps.org.models import Store
from apps.plans.models import ExpenseAllocation, Measure, PeriodKind, Plan, PlanStatus, ScopeType, Target
from apps.plans.selectors import Filters, Spec, actuals, track
from apps.sales.models import Order, OrderStatus, Receivable
from apps.sales.selectors import aging
from apps.scoring.periods import Period, month, parse
from apps.scoring.selectors import day_start, scorecards, store_tz
from apps.stock.models import Car
from apps.training.selectors import store_months as training_months

from .models import StoreMonth

ZERO = Decimal(0)
CENT = Decimal("0.01")
RATE = Decimal("0.0001")
TENTH = Decimal("0.1")
WALK_IN_CHANNELS = (VisitChannel.SHOWROOM, VisitChannel.TEST_DRIVE)
ON_TIME_GRACE = timedelta(days=7)
LAPSED_MONTHS = 12
# Plain strings: they are keys of the frozen JSON snapshot.
SALES_MEASURES = tuple(
    str(m.value) for m in (Measure.UNITS, Measure.REVENUE, Measure.GROSS_PROFIT, Measure.COLLECTIONS)
)
FINISHED = (FollowUpStatus.DONE, FollowUpStatus.FAILED)
RESOLVED = (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED)


def ratio(num: Any, den: Any, quantum: Decimal = RATE) -> Decimal | None:
    """num ÷ den rounded; None where the denominator is zero (never a false 0)."""
    if num is None or not den:
        return None
    return (Decimal(num) / Decimal(den)).quantize(quantum, rounding=ROUND_HALF_UP)


def compare(value: Any, mom: Any, yoy: Any, target: Any = None) -> dict[str, Any]:
    """A figure with last month (环比), the same month last year (同比) and its target:
    the changes in units (or percentage points, for a ratio) and in % of the earlier value."""

    def diff(a: Any, b: Any) -> Any:
        return None if a is None or b is None else a - b

    return {
        "value": value,
        "target": target,
        "gap": diff(target, value),
        "achievement": ratio(value, target),
        "mom": mom,
        "mom_change": diff(value, mom),
        "mom_pct": ratio(diff(value, mom), mom),
        "yoy": yoy,
        "yoy_change": diff(value, yoy),
        "yoy_pct": ratio(diff(value, yoy), yoy),
    }


def add_months(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, min(day.day, _month_days(index // 12, index % 12 + 1)))


def _month_days(year: int, m: int) -> int:
    return (date(year + m // 12, m % 12 + 1, 1) - timedelta(days=1)).day


def _key(value: Any) -> str:
    """A month key "2026-10" from a date or datetime (TruncMonth of either)."""
    if hasattr(value, "astimezone") and getattr(value, "tzinfo", None):
        value = value.astimezone(store_tz())
    return f"{value:%Y-%m}"


class Months:
    """This month, last month, the same month last year, and the 13-month window."""

    def __init__(self, key: str) -> None:
        self.this: Period = parse(key)
        if self.this.kind != "month":
            raise ValueError(key)
        self.prev = month(self.this.start - timedelta(days=1))
        self.yoy = month(date(self.this.start.year - 1, self.this.start.month, 1))
        self.next = month(self.this.end + timedelta(days=1))
        self.window = self.this.previous_months(13)  # yoy … this, oldest first
        self.start, self.end = self.yoy.start, self.this.end
        self.start_at, self.end_at = day_start(self.start), day_start(self.end + timedelta(days=1))

    @property
    def trend(self) -> list[Period]:
        return self.window[1:]  # the 12 months ending with this one

    def three(self, by_month: dict[str, Any], default: Any = None) -> tuple[Any, Any, Any]:
        return (
            by_month.get(self.this.key, default),
            by_month.get(self.prev.key, default),
            by_month.get(self.yoy.key, default),
        )


def store_month(*, stores: list[Store], month_key: str, today: date | None = None) -> dict[str, Any]:
    """Every figure of the month for one store or (summed) for a group of stores.

    A single store's closed month is read back from its frozen snapshot."""
    today = today or timezone.localdate()
    m = Months(month_key)
    single = stores[0] if len(stores) == 1 else None
    text = None
    if single is not None:
        text = StoreMonth.objects.filter(store=single, month=m.this.start).select_related("closed_by").first()
        if text is not None and text.closed_at and text.snapshot:
            return {**text.snapshot, "text": text, "closed": True}
    ids = [s.pk for s in stores]
    sales_by_month = _actuals(stores, m)
    targets = _targets(ids, m)
    data: dict[str, Any] = {
        "month": m.this.key,
        "prev_month": m.prev.key,
        "yoy_month": m.yoy.key,
        "next_month": m.next.key,
        "store_ids": ids,
        "closed": False,
        "sales": _sales(ids, m, sales_by_month, targets, today),
        "showroom": _showroom(ids, m),
        "marketing": _marketing(ids, m),
        "service": _customer_service(ids, m),
        "aftersales": _aftersales(ids, m),
        "people": _people(stores, m),
        "money": _money(ids, m, sales_by_month, targets),
        "stock": _stock(ids, m),
        "escalations": _escalations(ids, m),
        "appointments": _appointments(ids, m),
        "referrals": _referrals(ids, m),
        "training": _training(ids, m),
        "next_targets": {measure: targets.get((m.next.key, measure)) for measure in SALES_MEASURES},
        "trend": [
            {
                "month": p.key,
                "units": sales_by_month[p.key][Measure.UNITS],
                "revenue": sales_by_month[p.key][Measure.REVENUE],
            }
            for p in m.trend
        ],
    }
    data["text"] = text
    return data


# ---------------------------------------------------------------------------
# Sales


def _actuals(stores: list[Store], m: Months) -> dict[str, dict[str, Decimal]]:
    """Units, revenue, gross profit and collections per month key, from the plan
    tracking's own actuals (two grouped queries per store)."""
    specs = [Spec(measure, p.start, p.end, Filters()) for p in m.window for measure in SALES_MEASURES]
    out: dict[str, dict[str, Decimal]] = {p.key: dict.fromkeys(SALES_MEASURES, ZERO) for p in m.window}
    for store in stores:
        for spec, value in zip(specs, actuals(store, specs), strict=True):
            out[f"{spec.start:%Y-%m}"][spec.measure] += value or ZERO
    for figures in out.values():
        figures[Measure.UNITS] = int(figures[Measure.UNITS])  # type: ignore[assignment]
    return out


def _targets(ids: list[int], m: Months) -> dict[tuple[str, str], Decimal]:
    """The stores' approved month targets of this and next month (one query)."""
    rows = (
        Target.objects.filter(
            plan__store__in=ids,
            plan__status=PlanStatus.APPROVED,
            scope_type=ScopeType.STORE,
            period_kind=PeriodKind.MONTH,
            period_start__in=[m.this.start, m.next.start],
            measure__in=SALES_MEASURES,
        )
        .values("period_start", "measure")
        .annotate(value=Sum("value"))
        .order_by()
    )
    out: dict[tuple[str, str], Any] = {}
    for row in rows:
        value = row["value"]
        out[f"{row['period_start']:%Y-%m}", row["measure"]] = (
            int(value) if row["measure"] == Measure.UNITS else value
        )
    return out


def _sales(
    ids: list[int],
    m: Months,
    by_month: dict[str, dict[str, Any]],
    targets: dict[tuple[str, str], Any],
    today: date,
) -> dict[str, Any]:
    this, prev, yoy = (by_month[p.key] for p in (m.this, m.prev, m.yoy))
    figures: dict[str, Any] = {}
    for measure in SALES_MEASURES[:3]:
        target = targets.get((m.this.key, measure))
        figures[measure] = compare(this[measure], prev[measure], yoy[measure], target)
        tracking = (
            track(Decimal(target), Decimal(this[measure]), m.this.start, m.this.end, today)
            if target is not None
            else None
        )
        figures[measure]["status"] = tracking.status if tracking else None
    cost = [by[Measure.REVENUE] - by[Measure.GROSS_PROFIT] for by in (this, prev, yoy)]
    figures["cost"] = compare(*cost)
    figures["margin"] = compare(
        *(ratio(by[Measure.GROSS_PROFIT], by[Measure.REVENUE]) for by in (this, prev, yoy))
    )

    rows = list(
        Order.objects.filter(store__in=ids, order_date__range=(m.this.start, m.this.end))
        .exclude(status=OrderStatus.CANCELLED)
        .values(
            "vehicle_model_id",
            "vehicle_model__brand",
            "vehicle_model__name",
            "vehicle_model__body_type",
            "settlement",
        )
        .annotate(units=Count("pk"), revenue=Sum("amount"), gp=Sum(F("amount") - F("cost")))
        .order_by()
    )
    units = sum(r["units"] for r in rows)
    models: dict[int, dict[str, Any]] = {}
    bodies: dict[str, dict[str, Any]] = {}
    settlements: dict[str, dict[str, Any]] = {}
    for r in rows:
        name = f"{r['vehicle_model__brand']} {r['vehicle_model__name']}"
        for bucket, key, extra in (
            (
                models,
                r["vehicle_model_id"],
                {
                    "vehicle_model_id": r["vehicle_model_id"],
                    "vehicle_model": name,
                    "body_type": r["vehicle_model__body_type"],
                },
            ),
            (bodies, r["vehicle_model__body_type"], {"body_type": r["vehicle_model__body_type"]}),
            (settlements, r["settlement"], {"settlement": r["settlement"]}),
        ):
            row = bucket.setdefault(key, {**extra, "units": 0, "revenue": ZERO, "gross_profit": ZERO})
            row["units"] += r["units"]
            row["revenue"] += r["revenue"]
            row["gross_profit"] += r["gp"]
    for bucket in (models, bodies, settlements):
        for row in bucket.values():
            row["share"] = ratio(row["units"], units)
    by_model = sorted(models.values(), key=lambda r: (-r["units"], -r["revenue"], r["vehicle_model"]))

    cancelled = (
        Order.objects.filter(store__in=ids, status=OrderStatus.CANCELLED)
        .annotate(day=Coalesce(TruncDate("cancelled_at", tzinfo=store_tz()), F("order_date")))
        .filter(day__range=(m.start, m.end))
        .annotate(mo=TruncMonth("day"))
        .values("mo")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by()
    )
    cancels = {_key(r["mo"]): r for r in cancelled}
    c_this, c_prev, c_yoy = m.three({k: v["n"] for k, v in cancels.items()}, 0)
    return {
        **figures,
        "by_model": by_model,
        "by_body_type": sorted(bodies.values(), key=lambda r: (-r["units"], r["body_type"])),
        "by_settlement": sorted(settlements.values(), key=lambda r: (-r["units"], r["settlement"])),
        "best_model": by_model[0] if by_model else None,
        "cancellations": {
            **compare(c_this, c_prev, c_yoy),
            "amount": cancels.get(m.this.key, {}).get("amount") or ZERO,
        },
    }


# ---------------------------------------------------------------------------
# Showroom and marketing


def _showroom(ids: list[int], m: Months) -> dict[str, Any]:
    tz = store_tz()
    walk_in = Visit.objects.filter(
        store__in=ids, channel__in=WALK_IN_CHANNELS, started_at__gte=m.start_at, started_at__lt=m.end_at
    ).annotate(mo=TruncMonth("started_at", tzinfo=tz))
    # An earlier showroom / test-drive visit of the same customer before the row's month.
    earlier = Visit.objects.filter(
        customer_id=OuterRef("customer_id"), channel__in=WALK_IN_CHANNELS, started_at__lt=OuterRef("mo")
    )
    rows = (
        walk_in.values("mo")
        .annotate(
            total=Count("customer_id", distinct=True),
            new=Count("customer_id", distinct=True, filter=~Q(Exists(earlier))),
            test_drives=Count("pk", filter=Q(channel=VisitChannel.TEST_DRIVE)),
            visits=Count("pk"),
        )
        .order_by()
    )
    by = {_key(r["mo"]): r for r in rows}

    def pick(field: str) -> tuple[int, int, int]:
        return m.three({k: v[field] for k, v in by.items()}, 0)

    total, new = pick("total"), pick("new")
    returning = tuple(t - n for t, n in zip(total, new, strict=True))

    has_order = Order.objects.filter(customer_id=OuterRef("pk")).exclude(status=OrderStatus.CANCELLED)
    lead_rows = list(
        Customer.objects.filter(store__in=ids, created_at__gte=m.start_at, created_at__lt=m.end_at)
        .annotate(mo=TruncMonth("created_at", tzinfo=tz))
        .values("mo", "source")
        .annotate(n=Count("pk"), converted=Count("pk", filter=Q(Exists(has_order))))
        .order_by()
    )
    leads: dict[str, int] = defaultdict(int)
    converted: dict[str, int] = defaultdict(int)
    sources: dict[str, dict[str, Any]] = {}
    for r in lead_rows:
        key = _key(r["mo"])
        leads[key] += r["n"]
        converted[key] += r["converted"]
        if key == m.this.key:
            sources[r["source"]] = {"source": r["source"], "leads": r["n"], "converted": r["converted"]}
    lead_total = m.three(leads, 0)
    conv = tuple(ratio(c, n) for c, n in zip(m.three(converted, 0), lead_total, strict=True))
    for row in sources.values():
        row["conversion"] = ratio(row["converted"], row["leads"])
        row["share"] = ratio(row["leads"], lead_total[0])
    return {
        "walk_ins": compare(*total),
        "new": compare(*new),
        "returning": compare(*returning),
        "test_drives": compare(*pick("test_drives")),
        "leads": compare(*lead_total),
        "converted": m.three(converted, 0)[0],
        "conversion": compare(*conv),
        "by_source": sorted(sources.values(), key=lambda r: (-r["leads"], r["source"])),
    }


def _marketing(ids: list[int], m: Months) -> dict[str, Any]:
    leads = (
        Customer.objects.filter(campaign=OuterRef("pk")).order_by().values("campaign").annotate(n=Count("pk"))
    )
    has_order = Order.objects.filter(customer_id=OuterRef("pk")).exclude(status=OrderStatus.CANCELLED)
    deals = (
        Customer.objects.filter(campaign=OuterRef("pk"))
        .filter(Exists(has_order))
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
    )
    rows = list(
        Campaign.objects.filter(store__in=ids, starts_on__lte=m.this.end, ends_on__gte=m.this.start)
        .annotate(
            leads=Coalesce(Subquery(leads.values("n")), 0),
            deals=Coalesce(Subquery(deals.values("n")), 0),
        )
        .values("pk", "name", "source", "starts_on", "ends_on", "cost", "leads", "deals")
        .order_by("starts_on", "pk")
    )
    campaigns = [
        {
            "id": r["pk"],
            "name": r["name"],
            "source": r["source"],
            "starts_on": r["starts_on"].isoformat(),
            "ends_on": r["ends_on"].isoformat(),
            "cost": r["cost"],
            "leads": r["leads"],
            "deals": r["deals"],
            "cost_per_lead": ratio(r["cost"], r["leads"], CENT),
            "cost_per_deal": ratio(r["cost"], r["deals"], CENT),
        }
        for r in rows
    ]
    cost = sum((c["cost"] for c in campaigns), ZERO)
    n_leads = sum(c["leads"] for c in campaigns)
    n_deals = sum(c["deals"] for c in campaigns)
    return {
        "campaigns": campaigns,
        "count": len(campaigns),
        "cost": cost,
        "leads": n_leads,
        "deals": n_deals,
        "cost_per_lead": ratio(cost, n_leads, CENT),
        "cost_per_deal": ratio(cost, n_deals, CENT),
    }


# ---------------------------------------------------------------------------
# Customer service and after-sales


def _customer_service(ids: list[int], m: Months) -> dict[str, Any]:
    finished = Q(status__in=FINISHED)
    calls = (
        FollowUp.objects.filter(store__in=ids, channel=Channel.CALL, due_date__range=(m.start, m.end))
        .annotate(mo=TruncMonth("due_date"))
        .values("mo")
        .annotate(
            due=Count("pk", filter=~Q(status=FollowUpStatus.CANCELLED)),
            on_time=Count("pk", filter=Q(finished, completed_at__date__lte=F("due_date"))),
            reached=Count("pk", filter=Q(outcome=Outcome.REACHED)),
            attempts=Sum("attempts"),
            score=Avg("satisfaction"),
            responses=Count("satisfaction"),
        )
        .order_by()
    )
    by = {_key(r["mo"]): r for r in calls}

    def pick(f: Any) -> tuple[Any, Any, Any]:
        return m.three({k: f(v) for k, v in by.items()})

    due = pick(lambda r: r["due"])
    average = pick(lambda r: ratio(r["score"], 1, CENT) if r["score"] is not None else None)
    percent = tuple(ratio(a, 5) for a in average)
    tz = store_tz()
    duration = ExpressionWrapper(F("resolved_at") - F("opened_at"), output_field=DurationField())
    complaint_rows = (
        Complaint.objects.filter(store__in=ids, opened_at__gte=m.start_at, opened_at__lt=m.end_at)
        .annotate(mo=TruncMonth("opened_at", tzinfo=tz))
        .values("mo", "category")
        .annotate(
            received=Count("pk"),
            resolved=Count("pk", filter=Q(status__in=RESOLVED)),
            time=Sum(duration, filter=Q(status__in=RESOLVED, resolved_at__isnull=False)),
            timed=Count("pk", filter=Q(status__in=RESOLVED, resolved_at__isnull=False)),
        )
        .order_by()
    )
    months: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"received": 0, "resolved": 0, "seconds": 0, "timed": 0}
    )
    categories = []
    for r in complaint_rows:
        key = _key(r["mo"])
        seconds = r["time"].total_seconds() if r["time"] else 0
        for name, value in (
            ("received", r["received"]),
            ("resolved", r["resolved"]),
            ("seconds", seconds),
            ("timed", r["timed"]),
        ):
            months[key][name] += value
        if key == m.this.key:
            categories.append(
                {
                    "category": r["category"],
                    "received": r["received"],
                    "resolved": r["resolved"],
                    "resolution_rate": ratio(r["resolved"], r["received"]),
                }
            )
    received = m.three({k: v["received"] for k, v in months.items()}, 0)
    resolved = m.three({k: v["resolved"] for k, v in months.items()}, 0)
    hours = m.three({k: ratio(Decimal(v["seconds"]) / 3600, v["timed"], TENTH) for k, v in months.items()})
    return {
        "callbacks_due": compare(*due),
        "on_time": compare(*pick(lambda r: r["on_time"])),
        "on_time_rate": compare(*pick(lambda r: ratio(r["on_time"], r["due"]))),
        "contact_rate": compare(*pick(lambda r: ratio(r["reached"], r["attempts"]))),
        "satisfaction": compare(*average),
        "satisfaction_pct": compare(*percent),
        "responses": (pick(lambda r: r["responses"])[0]) or 0,
        "satisfaction_trend": [
            {
                "month": p.key,
                "average": ratio(by[p.key]["score"], 1, CENT)
                if p.key in by and by[p.key]["score"] is not None
                else None,
            }
            for p in m.trend
        ],
        "complaints": compare(*received),
        "resolved": compare(*resolved),
        "resolution_rate": compare(*(ratio(r, n) for r, n in zip(resolved, received, strict=True))),
        "resolution_hours": compare(*hours),
        "by_category": sorted(categories, key=lambda r: (-r["received"], r["category"])),
    }


def _aftersales(ids: list[int], m: Months) -> dict[str, Any]:
    rows = (
        ServiceVisit.objects.filter(store__in=ids, date__range=(m.start, m.end))
        .annotate(mo=TruncMonth("date"))
        .values("mo", "kind")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by()
    )
    visits: dict[str, int] = defaultdict(int)
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    by_kind: dict[str, dict[str, Any]] = {}
    for r in rows:
        key = _key(r["mo"])
        visits[key] += r["n"]
        revenue[key] += r["amount"] or ZERO
        if key == m.this.key:
            by_kind[r["kind"]] = {"kind": r["kind"], "visits": r["n"], "revenue": r["amount"] or ZERO}

    # Maintenance visits of the three months with the previous one of the same vehicle.
    previous = (
        ServiceVisit.objects.filter(
            vehicle=OuterRef("vehicle"), kind__in=SERVICE_KINDS, date__lt=OuterRef("date")
        )
        .order_by("-date")
        .values("date")[:1]
    )
    three = Q()
    for p in (m.this, m.prev, m.yoy):
        three |= Q(date__range=(p.start, p.end))
    maintenance = (
        ServiceVisit.objects.filter(three, store__in=ids, kind__in=SERVICE_KINDS)
        .annotate(previous=Subquery(previous))
        .values_list(
            "date",
            "previous",
            "vehicle__delivered_on",
            "vehicle__vehicle_model__first_service_months",
            "vehicle__vehicle_model__service_interval_months",
        )
    )
    done: dict[str, int] = defaultdict(int)
    on_time: dict[str, int] = defaultdict(int)
    for day, prev, delivered, first_months, interval_months in maintenance:
        key = f"{day:%Y-%m}"
        due = add_months(prev, interval_months) if prev else add_months(delivered, first_months)
        done[key] += 1
        on_time[key] += day <= due + ON_TIME_GRACE

    # Lapsed at each month end: the last service by then (else the delivery) is older
    # than 12 months. One query, one subquery per month end.
    vehicles = Vehicle.objects.filter(store__in=ids)
    lapsed = {}
    for p in (m.this, m.prev, m.yoy):
        anchor = f"anchor_{p.start:%Y_%m}"
        last = (
            ServiceVisit.objects.filter(vehicle=OuterRef("pk"), date__lte=p.end)
            .order_by()
            .values("vehicle")
            .annotate(last=Max("date"))
            .values("last")
        )
        vehicles = vehicles.annotate(**{anchor: Coalesce(Subquery(last), F("delivered_on"))})
        lapsed[f"lapsed_{p.start:%Y_%m}"] = Count(
            "pk",
            filter=Q(delivered_on__lte=p.end, **{f"{anchor}__lt": add_months(p.end, -LAPSED_MONTHS)}),
        )
    counts = vehicles.aggregate(**lapsed)
    lapsed_counts = {p.key: counts[f"lapsed_{p.start:%Y_%m}"] for p in (m.this, m.prev, m.yoy)}
    return {
        "visits": compare(*m.three(visits, 0)),
        "revenue": compare(*m.three(revenue, ZERO)),
        "by_kind": sorted(by_kind.values(), key=lambda r: r["kind"]),
        "maintenance": compare(*m.three(done, 0)),
        "on_time": compare(*m.three(on_time, 0)),
        "on_time_rate": compare(
            *(ratio(o, d) for o, d in zip(m.three(on_time, 0), m.three(done, 0), strict=True))
        ),
        "lapsed": compare(*m.three(lapsed_counts, 0)),
    }


# ---------------------------------------------------------------------------
# People and money


def _people(stores: list[Store], m: Months) -> dict[str, Any]:
    """The consultants' ranking and the store's activity figures, from the scorecards."""
    cards = scorecards(stores=stores, periods=[m.this, m.prev, m.yoy])
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for card in cards.values():
        f = card.figures
        s = sums[card.period.key]
        s["visits"] += f["visits"]
        s["working_days"] += f["working_days"]
        # The cards hold the rounded rates; rate × denominator gives the count back exactly.
        s["on_time"] += int((f["report_compliance"] or 0) * f["working_days"] + Decimal("0.5"))
        s["late"] += int((f["late_entry_rate"] or 0) * f["visits"] + Decimal("0.5"))
    this, prev, yoy = (sums[p.key] for p in (m.this, m.prev, m.yoy))
    ranking = sorted(
        (c for c in cards.values() if c.period.key == m.this.key),
        key=lambda c: (c.rank_store or 10**6, -(c.score or 0), c.name),
    )
    return {
        "ranking": [
            {
                "consultant_id": c.consultant_id,
                "name": c.name,
                "store_id": c.store_id,
                "rank": c.rank_store,
                "score": c.score,
                "units": c.figures["units"],
                "sales_revenue": c.figures["sales_revenue"],
                "visits": c.figures["visits"],
                "report_compliance": c.figures["report_compliance"],
                "late_entry_rate": c.figures["late_entry_rate"],
                "closed": c.closed,
            }
            for c in ranking
        ],
        "visits": compare(this["visits"], prev["visits"], yoy["visits"]),
        "report_compliance": compare(*(ratio(s["on_time"], s["working_days"]) for s in (this, prev, yoy))),
        "late_entry_rate": compare(*(ratio(s["late"], s["visits"]) for s in (this, prev, yoy))),
    }


def _money(
    ids: list[int], m: Months, by_month: dict[str, dict[str, Any]], targets: dict[tuple[str, str], Any]
) -> dict[str, Any]:
    this, prev, yoy = (by_month[p.key] for p in (m.this, m.prev, m.yoy))
    tz = store_tz()
    expense_rows = (
        Visit.objects.filter(store__in=ids, started_at__gte=m.start_at, started_at__lt=m.end_at)
        .annotate(mo=TruncMonth("started_at", tzinfo=tz))
        .values("mo")
        .annotate(expense=Sum("expense"))
        .order_by()
    )
    expenses = m.three({_key(r["mo"]): r["expense"] or ZERO for r in expense_rows}, ZERO)
    budget = _budgets(ids, [m.this, m.prev, m.yoy])
    receivables = Receivable.objects.filter(store__in=ids, order__order_date__lte=m.this.end)
    return {
        "revenue": compare(this[Measure.REVENUE], prev[Measure.REVENUE], yoy[Measure.REVENUE]),
        "cost": compare(*(by[Measure.REVENUE] - by[Measure.GROSS_PROFIT] for by in (this, prev, yoy))),
        "gross_profit": compare(
            this[Measure.GROSS_PROFIT], prev[Measure.GROSS_PROFIT], yoy[Measure.GROSS_PROFIT]
        ),
        "expenses": compare(*expenses),
        "expense_budget": budget[m.this.key],
        "budget_used": ratio(expenses[0], budget[m.this.key]),
        "collections": compare(
            this[Measure.COLLECTIONS],
            prev[Measure.COLLECTIONS],
            yoy[Measure.COLLECTIONS],
            targets.get((m.this.key, Measure.COLLECTIONS)),
        ),
        "aging": aging(receivables, today=m.this.end),
    }


def _budgets(ids: list[int], periods: Iterable[Period]) -> dict[str, Decimal | None]:
    """Each month's sales expense budget: the approved plans' allocations to that month,
    else a twelfth of their yearly budget (two queries)."""
    periods = list(periods)
    years = {p.start.year for p in periods}
    plans = list(
        Plan.objects.filter(store__in=ids, status=PlanStatus.APPROVED, year__in=years).values_list(
            "pk", "year", "expense_budget"
        )
    )
    allocated: dict[tuple[int, int | None], Decimal] = defaultdict(Decimal)
    for year, mo, amount in ExpenseAllocation.objects.filter(
        plan__in=[pk for pk, _y, _b in plans], month__isnull=False
    ).values_list("plan__year", "month", "amount"):
        allocated[year, mo] += amount
    out: dict[str, Decimal | None] = {}
    for p in periods:
        yearly = [b for _pk, y, b in plans if y == p.start.year]
        if not yearly:
            out[p.key] = None
        elif (p.start.year, p.start.month) in allocated:
            out[p.key] = allocated[p.start.year, p.start.month]
        else:
            out[p.key] = (sum(yearly, ZERO) / 12).quantize(CENT)
    return out


def _stock(ids: list[int], m: Months) -> dict[str, Any]:
    """Cars held at each month end (arrived by then, not sold by then) with their cost,
    and cars sold in the month (one query)."""
    aggregates: dict[str, Any] = {}
    for p in (m.this, m.prev, m.yoy):
        in_stock = Q(arrived_on__lte=p.end) & (Q(sold_on__isnull=True) | Q(sold_on__gt=p.end))
        tag = f"{p.start:%Y_%m}"
        aggregates[f"held_{tag}"] = Count("pk", filter=in_stock)
        aggregates[f"cost_{tag}"] = Sum("cost", filter=in_stock)
        aggregates[f"sold_{tag}"] = Count("pk", filter=Q(sold_on__range=(p.start, p.end)))
    row = Car.objects.filter(store__in=ids).aggregate(**aggregates)

    def pick(name: str, default: Any) -> tuple[Any, Any, Any]:
        by = {p.key: row[f"{name}_{p.start:%Y_%m}"] or default for p in (m.this, m.prev, m.yoy)}
        return m.three(by, default)

    held, sold = pick("held", 0), pick("sold", 0)
    return {
        "held": compare(*held),
        "cost": compare(*pick("cost", ZERO)),
        "sold": compare(*sold),
        # months of stock: cars held at month end ÷ cars sold in the month
        "coverage": compare(*(ratio(h, s, CENT) for h, s in zip(held, sold, strict=True))),
    }


# ---------------------------------------------------------------------------
# Escalations, appointments, referrals, training (issue 15). Each is absent from the
# snapshots of months closed before it was recorded: the page shows what it has.


def _escalations(ids: list[int], m: Months) -> dict[str, Any]:
    by = {_key(k): v for k, v in complaint_breaches_by_month(ids, m.start_at, m.end_at).items()}
    out: dict[str, Any] = {}
    for name in ("not_acknowledged", "not_answered", "not_resolved"):
        out[name] = compare(*m.three({k: v[name] for k, v in by.items()}, 0))
    out["total"] = compare(*m.three({k: sum(v.values()) for k, v in by.items()}, 0))
    return out


def _appointments(ids: list[int], m: Months) -> dict[str, Any]:
    by = {_key(k): v for k, v in appointments_by_month(ids, m.start, m.end).items()}
    out: dict[str, Any] = {
        "invitations": compare(*m.three({k: v["invitations"] for k, v in by.items()}, 0)),
        "attended": compare(*m.three({k: v["attended"] for k, v in by.items()}, 0)),
        "no_show": compare(*m.three({k: v["no_show"] for k, v in by.items()}, 0)),
    }
    for name in ("confirmed_rate", "arrival_rate", "no_show_rate"):
        out[name] = compare(
            *m.three({k: None if v[name] is None else Decimal(str(v[name])) for k, v in by.items()})
        )
    return out


def _referrals(ids: list[int], m: Months) -> dict[str, Any]:
    has_order = Order.objects.filter(customer_id=OuterRef("pk")).exclude(status=OrderStatus.CANCELLED)
    rows = (
        Customer.objects.filter(
            store__in=ids, referred_by__isnull=False, created_at__gte=m.start_at, created_at__lt=m.end_at
        )
        .annotate(mo=TruncMonth("created_at", tzinfo=store_tz()))
        .values("mo")
        .annotate(referred=Count("pk"), converted=Count("pk", filter=Exists(has_order)))
        .order_by()
    )
    by = {_key(r["mo"]): r for r in rows}
    rewards = ReferralReward.objects.filter(
        referrer__store__in=ids, given_on__range=(m.this.start, m.this.end)
    ).aggregate(n=Count("pk"), value=Sum("value"))
    referred = m.three({k: v["referred"] for k, v in by.items()}, 0)
    converted = m.three({k: v["converted"] for k, v in by.items()}, 0)
    return {
        "referred": compare(*referred),
        "converted": compare(*converted),
        "conversion": compare(*(ratio(c, r) for c, r in zip(converted, referred, strict=True))),
        "rewards": rewards["n"] or 0,
        "reward_value": rewards["value"] or ZERO,
    }


def _training(ids: list[int], m: Months) -> dict[str, Any]:
    by = {f"{k:%Y-%m}": v for k, v in training_months(ids, m.start, m.end).items()}
    out: dict[str, Any] = {}
    for name, default in (("sessions", 0), ("hours", ZERO), ("attendances", 0), ("person_hours", ZERO)):
        out[name] = compare(*m.three({k: v[name] for k, v in by.items()}, default))
    out["average_score"] = compare(
        *m.three(
            {
                k: None if v["average_score"] is None else Decimal(v["average_score"]).quantize(TENTH)
                for k, v in by.items()
            }
        )
    )
    return out
