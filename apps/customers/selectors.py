"""Reads for customers and opportunities: set-based, a fixed number of queries.

Receivables live in apps.sales (below this app), so their figures are reached
through the reverse relation `Customer.receivables`, never by importing sales."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from apps.org.scoping import store_ids

from .models import Campaign, Customer, Opportunity, Routing, Stage

MONEY: DecimalField = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal(0), output_field=MONEY)

# The pipeline in order; "lost" is an exit, not a step.
PIPELINE = [
    Stage.NEW,
    Stage.CONTACTED,
    Stage.SHOWROOM,
    Stage.TEST_DRIVE,
    Stage.NEGOTIATION,
    Stage.ORDERED,
    Stage.DELIVERED,
]


def _receivable_model() -> Any:
    return Customer._meta.get_field("receivables").related_model


def with_balances(qs: QuerySet[Customer], today: date | None = None) -> QuerySet[Customer]:
    """Annotate `outstanding` and `overdue` (open receivable balances) with two subqueries."""
    today = today or timezone.localdate()
    receivable = _receivable_model()
    live = receivable.objects.filter(customer=OuterRef("pk"), cancelled=False)

    def total(rows: QuerySet[Any]) -> Subquery:
        return Subquery(
            rows.values("customer").annotate(v=Sum(F("amount") - F("paid"))).values("v"), output_field=MONEY
        )

    return qs.annotate(
        outstanding=Coalesce(total(live), ZERO),
        overdue=Coalesce(total(live.filter(due_date__lt=today)), ZERO),
    )


def customer_list(user: Any) -> QuerySet[Customer]:
    from apps.org.scoping import visible

    return with_balances(visible(Customer.objects.select_related("owner", "store", "campaign"), user))


def pool(user: Any) -> QuerySet[Customer]:
    """The public pool (公海) of the user's stores: customers without an owner."""
    return Customer.objects.filter(store__in=store_ids(user), owner__isnull=True).select_related("store")


def my_day(user: Any, today: date | None = None) -> dict[str, QuerySet[Customer]]:
    """A consultant's day: overdue follow-ups, those due today, then the next week."""
    today = today or timezone.localdate()
    mine = Customer.objects.filter(owner=user).exclude(status="lost").select_related("store")
    return {
        "overdue": mine.filter(next_follow_up__lt=today).order_by("next_follow_up", "grade"),
        "due": mine.filter(next_follow_up=today).order_by("grade"),
        "upcoming": mine.filter(
            next_follow_up__gt=today, next_follow_up__lte=today + timedelta(days=7)
        ).order_by("next_follow_up"),
    }


def pipeline(qs: QuerySet[Opportunity]) -> list[tuple[str, str, list[Opportunity]]]:
    """Open opportunities routed to sales, in columns by stage (one query)."""
    rows = list(
        qs.filter(routed_to=Routing.SALES)
        .exclude(stage=Stage.LOST)
        .select_related("customer", "owner", "vehicle_model")
        .order_by("-score", "-updated_at")[:500]
    )
    columns: dict[str, list[Opportunity]] = {s.value: [] for s in PIPELINE}
    for row in rows:
        columns[row.stage].append(row)
    return [(s.value, str(s.label), columns[s.value]) for s in PIPELINE]


@dataclass
class FunnelStep:
    stage: str
    label: str
    reached: int
    conversion: float | None  # share of the previous step that reached this one (None: 0/0)


def funnel(qs: QuerySet[Opportunity]) -> list[FunnelStep]:
    """How many opportunities reached each stage (from the stage history) and the
    conversion from one stage to the next. One query: the furthest stage per opportunity,
    counted per stage in SQL (one row back, however many opportunities)."""
    rank = Case(
        *[When(stage_history__stage=s, then=Value(i)) for i, s in enumerate(PIPELINE)],
        default=Value(-1),
        output_field=IntegerField(),
    )
    furthest = qs.annotate(furthest=Max(rank)).order_by()
    reached = furthest.aggregate(
        **{f"s{i}": Count("pk", filter=Q(furthest__gte=i)) for i in range(len(PIPELINE))}
    )
    counts = [reached[f"s{i}"] or 0 for i in range(len(PIPELINE))]
    steps = []
    for i, stage in enumerate(PIPELINE):
        previous = counts[i - 1] if i else None
        conversion = None if not previous else counts[i] / previous
        steps.append(FunnelStep(stage.value, str(stage.label), counts[i], conversion))
    return steps


def lost_reasons(qs: QuerySet[Opportunity]) -> list[dict[str, Any]]:
    return list(qs.filter(stage=Stage.LOST).values("lost_reason").annotate(n=Count("pk")).order_by("-n")[:10])


def campaign_stats(qs: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Leads, qualified leads (an opportunity routed to sales), deals (an order not cancelled),
    with the rates and cost per lead / per deal computed on the rows (no extra queries)."""
    return qs.annotate(
        leads=Count("customers", distinct=True),
        qualified=Count(
            "customers", filter=Q(customers__opportunities__routed_to=Routing.SALES), distinct=True
        ),
        deals=Count(
            "customers",
            filter=Q(customers__orders__status__in=["open", "delivered"]),
            distinct=True,
        ),
    )


def _per(numerator: Any, denominator: str) -> Any:
    """numerator ÷ denominator in SQL, NULL where the denominator is zero (shown as "—")."""
    money: DecimalField[Any, Any] = DecimalField(max_digits=14, decimal_places=2)
    return Cast(Cast(numerator, money) / NullIf(F(denominator), 0), money)


def campaign_rows(qs: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """campaign_stats with the ratios in SQL, so that the list sorts and pages by them."""
    return campaign_stats(qs).annotate(
        qualified_rate=_per(F("qualified"), "leads"),
        conversion=_per(F("deals"), "leads"),
        cost_per_lead=_per(F("cost"), "leads"),
        cost_per_deal=_per(F("cost"), "deals"),
    )


def source_stats(customers: QuerySet[Customer], campaigns: QuerySet[Campaign]) -> list[dict[str, Any]]:
    """Per source channel the same input ratio as campaigns: cost (the channel's campaigns),
    leads, qualified rate, deals, conversion, cost per lead and per deal. Two queries."""
    from .models import Source

    rows = {
        r["source"]: r
        for r in customers.values("source")
        .annotate(
            leads=Count("pk", distinct=True),
            qualified=Count("pk", filter=Q(opportunities__routed_to=Routing.SALES), distinct=True),
            deals=Count("pk", filter=Q(orders__status__in=["open", "delivered"]), distinct=True),
        )
        .order_by()
    }
    costs = dict(
        campaigns.values("source").annotate(total=Sum("cost")).values_list("source", "total").order_by()
    )
    out = []
    for code, label in Source.choices:
        row = rows.get(code, {"leads": 0, "qualified": 0, "deals": 0})
        cost = costs.get(code) or Decimal(0)
        if not (row["leads"] or cost):
            continue
        out.append(
            {
                "source": code,
                "label": str(label),
                "cost": cost,
                "leads": row["leads"],
                "qualified": row["qualified"],
                "deals": row["deals"],
                "qualified_rate": ratio(row["qualified"], row["leads"]),
                "conversion": ratio(row["deals"], row["leads"]),
                "cost_per_lead": ratio(cost, row["leads"]),
                "cost_per_deal": ratio(cost, row["deals"]),
            }
        )
    out.sort(key=lambda r: -r["leads"])
    return out


def ratio(numerator: Any, denominator: Any) -> Decimal | None:
    """numerator ÷ denominator, None where the denominator is zero (shown as "—")."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.01"))


def with_story(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """The customer file's header figures beyond the balances: cars owned, lifetime
    revenue (orders not cancelled) and the average satisfaction of his calls. The apps
    above own those rows; they are reached by their reverse relations, one subquery each."""

    def related(name: str) -> Any:
        return Customer._meta.get_field(name).related_model

    def one(rows: QuerySet[Any], value: Any, field: Any) -> Subquery:
        return Subquery(rows.values("customer").annotate(v=value).values("v"), output_field=field)

    vehicles = related("vehicles").objects.filter(customer=OuterRef("pk"))
    orders = related("orders").objects.filter(customer=OuterRef("pk")).exclude(status="cancelled")
    calls = related("followups").objects.filter(customer=OuterRef("pk"), satisfaction__isnull=False)
    return with_balances(qs).annotate(
        cars=Coalesce(one(vehicles, Count("pk"), IntegerField()), Value(0)),
        revenue=Coalesce(one(orders, Sum("amount"), MONEY), ZERO),
        satisfaction=one(calls, Avg("satisfaction"), DecimalField(max_digits=4, decimal_places=2)),
    )


def referrals_of(customer: Customer) -> list[Customer]:
    """Whom the customer referred and what they bought: the orders come by their related
    name and a model looked up by name (customers never imports sales), prefetched in one
    query for all the referrals."""
    from django.apps import apps
    from django.db.models import Prefetch

    orders = (
        apps.get_model("sales", "Order").objects.exclude(status="cancelled").select_related("vehicle_model")
    )
    return list(
        Customer.objects.filter(referred_by=customer)
        .select_related("owner", "referral_reward")
        .prefetch_related(Prefetch("orders", queryset=orders, to_attr="bought"))
        .order_by("created_at", "pk")
    )
