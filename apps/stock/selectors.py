"""Reads of stock: the scoped car list with days in stock, the group's counts (no
costs), the stock overview (days of supply, 库存系数, aging, holding cost)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Max, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.org.models import Store, User
from apps.org.scoping import store_ids, visible

from .models import Car, CarStatus, StockSettings, Transfer

ZERO = Decimal(0)
CENT = Decimal("0.01")
HELD = [CarStatus.IN_STOCK, CarStatus.RESERVED]  # in the yard
# Aging buckets (days in stock): label, lowest day, highest day (None: no upper bound).
BUCKETS = [("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None)]
BUCKET_LABELS = {"0-30": "0–30", "31-60": "31–60", "61-90": "61–90", "90+": ">90"}
# 库存系数 bands the dealer associations use: 1.0–1.2 healthy, from 1.5 an alert.
COEFFICIENT_HEALTHY = (Decimal("1.0"), Decimal("1.2"))
COEFFICIENT_ALERT = Decimal("1.5")


def _days_expr(today: date) -> Any:
    """Days in stock in SQL: (sale date or today) − arrival."""
    end = Coalesce(F("sold_on"), Value(today))
    return ExpressionWrapper(end - F("arrived_on"), output_field=IntegerField())


def cars_for(user: User, today: date | None = None) -> QuerySet[Car]:
    """The user's stores' cars with `days` and `live_order` (the order that holds it), one query."""
    today = today or timezone.localdate()
    return (
        visible(Car.objects.select_related("vehicle_model", "store"), user)
        .annotate(live_order=Max("orders__pk", filter=~Q(orders__status="cancelled")))
        .order_by("arrived_on", "pk")
    )


def bucket_of(days: int | None) -> str | None:
    if days is None:
        return None
    for key, low, high in BUCKETS:
        if days >= low and (high is None or days <= high):
            return key
    return None


def bucket_q(key: str, today: date) -> Q:
    for name, low, high in BUCKETS:
        if name == key:
            q = Q(arrived_on__lte=today - timedelta(days=low))
            if high is not None:
                q &= Q(arrived_on__gte=today - timedelta(days=high))
            return q
    return Q(pk__in=[])


def limits(store_ids_: list[int]) -> dict[int, StockSettings]:
    found = {s.store_id: s for s in StockSettings.objects.filter(store_id__in=store_ids_)}
    return {pk: found.get(pk) or StockSettings(store_id=pk) for pk in store_ids_}


def holding_cost(car: Car, settings_: StockSettings, today: date) -> Decimal:
    """Days in stock × cost × the store's floor-plan rate (a yearly rate, per day ÷ 365)."""
    days = car.days_in_stock(today) or 0
    return (Decimal(days) * car.cost * settings_.floor_plan_rate / 100 / 365).quantize(CENT, ROUND_HALF_UP)


def group_counts(user: User) -> list[dict[str, Any]]:
    """Every store's in-stock cars by model and colour, counts only (whom to ask for a
    transfer): never a cost or a VIN of another store."""
    return list(
        Car.objects.filter(status=CarStatus.IN_STOCK)
        .values(
            "store", "store__name", "vehicle_model", "vehicle_model__brand", "vehicle_model__name", "colour"
        )
        .annotate(count=Count("pk"))
        .order_by("vehicle_model__brand", "vehicle_model__name", "colour", "store__name")
    )


def transfers_for(user: User) -> QuerySet[Transfer]:
    """Transfers either of whose stores is the user's."""
    qs = Transfer.objects.select_related("from_store", "to_store", "vehicle_model", "car", "requested_by")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_admin:
        return qs
    ids = store_ids(user)
    return qs.filter(Q(from_store__in=ids) | Q(to_store__in=ids))


@dataclass
class ModelLine:
    vehicle_model_id: int
    label: str
    colour: str
    in_stock: int = 0
    reserved: int = 0
    in_transit: int = 0
    sold_30: int = 0
    sold_month: int = 0
    arrived_month: int = 0
    stock_at_month_end: int = 0

    @property
    def held(self) -> int:
        return self.in_stock + self.reserved

    @property
    def days_of_supply(self) -> Decimal | None:
        """Stock ÷ the average daily sales of the last 30 days; None without sales."""
        if not self.sold_30:
            return None
        return (Decimal(self.held) * 30 / self.sold_30).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Overview:
    store: Store
    month_start: date
    month_end: date
    lines: list[ModelLine] = field(default_factory=list)
    buckets: dict[str, int] = field(default_factory=dict)
    over_limit: int = 0
    limit_days: int = 90
    held: int = 0
    held_cost: Decimal = ZERO
    holding_cost: Decimal = ZERO
    arrivals_month: int = 0
    sold_month: int = 0
    stock_at_month_end: int = 0
    coefficient: Decimal | None = None

    @property
    def coefficient_status(self) -> str:
        if self.coefficient is None:
            return "none"
        if self.coefficient >= COEFFICIENT_ALERT:
            return "alert"
        low, high = COEFFICIENT_HEALTHY
        return "healthy" if low <= self.coefficient <= high else "watch"

    @property
    def days_of_supply(self) -> Decimal | None:
        sold = sum(line.sold_30 for line in self.lines)
        return (Decimal(self.held) * 30 / sold).quantize(Decimal("0.1"), ROUND_HALF_UP) if sold else None


def coefficient(stock_at_end: int, sold: int) -> Decimal | None:
    """库存系数 = stock at period end ÷ the period's sales; None without sales."""
    return (Decimal(stock_at_end) / sold).quantize(CENT, ROUND_HALF_UP) if sold else None


def overview(store: Store, today: date | None = None, month: date | None = None) -> Overview:
    """The stock of one store: by model and colour, aging, holding cost, the month's flow.

    Three queries whatever the number of cars: the settings, the cars in the yard now
    (with their figures), and the month's and last 30 days' flow grouped by model/colour."""
    today = today or timezone.localdate()
    start = (month or today).replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    period_end = min(end, today)
    settings_ = limits([store.pk])[store.pk]
    result = Overview(store=store, month_start=start, month_end=end, limit_days=settings_.aging_limit_days)
    result.buckets = {key: 0 for key, _l, _h in BUCKETS}
    lines: dict[tuple[int, str], ModelLine] = {}

    def line(model_id: int, label: str, colour: str) -> ModelLine:
        key = (model_id, colour)
        if key not in lines:
            lines[key] = ModelLine(model_id, label, colour)
        return lines[key]

    held = Car.objects.filter(store=store, status__in=[*HELD, CarStatus.IN_TRANSIT]).select_related(
        "vehicle_model"
    )
    for car in held:
        item = line(car.vehicle_model_id, str(car.vehicle_model), car.colour)
        if car.status == CarStatus.IN_TRANSIT:
            item.in_transit += 1
            continue
        if car.status == CarStatus.IN_STOCK:
            item.in_stock += 1
        else:
            item.reserved += 1
        days = car.days_in_stock(today) or 0
        result.buckets[bucket_of(days) or "0-30"] += 1
        result.over_limit += days > settings_.aging_limit_days
        result.held += 1
        result.held_cost += car.cost
        result.holding_cost += holding_cost(car, settings_, today)
    since = today - timedelta(days=29)
    flow = (
        Car.objects.filter(store=store)
        .filter(
            Q(sold_on__gte=min(since, start))
            | Q(arrived_on__gte=start)
            | Q(status__in=HELD)
            | Q(sold_on__gt=period_end)
        )
        .values("vehicle_model", "vehicle_model__brand", "vehicle_model__name", "colour")
        .annotate(
            sold_30=Count("pk", filter=Q(sold_on__gte=since, sold_on__lte=today)),
            sold_month=Count("pk", filter=Q(sold_on__gte=start, sold_on__lte=period_end)),
            arrived_month=Count("pk", filter=Q(arrived_on__gte=start, arrived_on__lte=period_end)),
            at_end=Count(
                "pk",
                filter=Q(arrived_on__lte=period_end) & (Q(sold_on__isnull=True) | Q(sold_on__gt=period_end)),
            ),
        )
    )
    for row in flow:
        item = line(
            row["vehicle_model"], f"{row['vehicle_model__brand']} {row['vehicle_model__name']}", row["colour"]
        )
        item.sold_30 = row["sold_30"]
        item.sold_month = row["sold_month"]
        item.arrived_month = row["arrived_month"]
        item.stock_at_month_end = row["at_end"]
    result.lines = sorted(lines.values(), key=lambda x: (x.label, x.colour))
    result.arrivals_month = sum(x.arrived_month for x in result.lines)
    result.sold_month = sum(x.sold_month for x in result.lines)
    result.stock_at_month_end = sum(x.stock_at_month_end for x in result.lines)
    result.coefficient = coefficient(result.stock_at_month_end, result.sold_month)
    return result


def tile(store: Store, today: date) -> dict[str, Any]:
    """The manager dashboard's stock tile: cars held, over the age limit, 库存系数 this month."""
    data = overview(store, today)
    return {
        "held": data.held,
        "over_limit": data.over_limit,
        "limit_days": data.limit_days,
        "coefficient": data.coefficient,
        "coefficient_status": data.coefficient_status,
        "days_of_supply": data.days_of_supply,
    }


def aging_chart(data: Overview) -> dict[str, Any]:
    return {
        "labels": [BUCKET_LABELS[k] for k, _l, _h in BUCKETS],
        "values": [data.buckets[k] for k, _l, _h in BUCKETS],
    }
