"""Small factories for activity tests. Customers, orders and payments are written with
the ORM directly (their apps' rules are tested there)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone

from apps.catalog.models import VehicleModel
from apps.customers.models import Customer, Opportunity
from apps.org.models import Store, User
from apps.sales.models import Order, Payment

from ..models import DailyReport, MarketReport, Visit

_mobiles = count(13800000000)


def aware(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def customer(store: Store, owner: User | None, name: str = "张先生", **extra: Any) -> Customer:
    extra.setdefault("mobile", str(next(_mobiles)))
    return Customer.objects.create(store=store, owner=owner, name=name, **extra)


def opportunity(c: Customer, **extra: Any) -> Opportunity:
    return Opportunity.objects.create(store=c.store, customer=c, owner=c.owner, **extra)


def vehicle_model() -> VehicleModel:
    return VehicleModel.objects.get_or_create(
        brand="丰田", name="凯美瑞", defaults={"body_type": "sedan", "msrp": 179800, "cost": 160000}
    )[0]


def order(c: Customer, consultant: User, day: date, amount: int = 180000, **extra: Any) -> Order:
    return Order.objects.create(
        store=c.store,
        customer=c,
        consultant=consultant,
        vehicle_model=vehicle_model(),
        order_date=day,
        amount=Decimal(amount),
        cost=Decimal(amount) * Decimal("0.9"),
        **extra,
    )


def payment(c: Customer, day: date, amount: int, by: User) -> Payment:
    return Payment.objects.create(
        store=c.store, customer=c, amount=Decimal(amount), received_on=day, recorded_by=by
    )


def sale(c: Customer, consultant: User, day: date, amount: int = 180000) -> Order:
    """An order booked through the sales service: it has its receivable (responsible: `consultant`)."""
    from apps.sales.services import order_create

    return order_create(
        by=consultant,
        store=c.store,
        customer=c,
        consultant=consultant,
        vehicle_model=vehicle_model(),
        order_date=day,
        amount=Decimal(amount),
        cost=Decimal(amount) * Decimal("0.9"),
    )


def pay(c: Customer, day: date, amount: int, by: User) -> Payment:
    """A payment through the sales service, allocated to the customer's open receivables."""
    from apps.sales.services import payment_record

    return payment_record(
        customer=c, amount=Decimal(amount), received_on=day, method="transfer", recorded_by=by
    )


def earlier_today(minutes: int = 60) -> datetime:
    """`minutes` before now, but not before the day's midnight: a test's visit made "an
    hour ago" at 00:30 would fall on yesterday and miss today's figures."""
    now = timezone.localtime()
    return max(now - timedelta(minutes=minutes), now.replace(hour=0, minute=0, second=0, microsecond=0))


def visit(
    consultant: User, c: Customer, start: datetime | None = None, minutes: int = 30, **extra: Any
) -> Visit:
    start = start or earlier_today()
    return Visit.objects.create(
        store=c.store,
        consultant=consultant,
        customer=c,
        channel=extra.pop("channel", "showroom"),
        started_at=start,
        ended_at=start + timedelta(minutes=minutes),
        **extra,
    )


def report(consultant: User, day: date, **extra: Any) -> DailyReport:
    return DailyReport.objects.create(
        store=consultant.stores.first(), consultant=consultant, date=day, **extra
    )


def market(consultant: User, **extra: Any) -> MarketReport:
    fields: dict[str, Any] = {
        "date": timezone.localdate(),
        "competitor_brand": "本田",
        "competitor_model": "雅阁",
        "retail_price": Decimal(169800),
        "transaction_price": Decimal(152000),
    }
    fields.update(extra)
    return MarketReport.objects.create(store=consultant.stores.first(), consultant=consultant, **fields)
