"""Factories for after-sales tests: orders are made with the ORM and delivered by
sending apps.sales.signals.order_delivered ourselves, as the sales service does."""

from datetime import date
from decimal import Decimal
from itertools import count
from typing import Any

from apps.catalog.models import VehicleModel
from apps.customers.models import Customer
from apps.org.models import Store, User
from apps.sales.models import Order, OrderStatus
from apps.sales.services import vin_check_digit
from apps.sales.signals import order_delivered

from ..models import Vehicle

_seq = count(1)


def make_vin(n: int | None = None, wmi: str = "LFV") -> str:
    """A valid 17-character VIN (ISO 3779 check digit) with serial `n`."""
    serial = f"{(n if n is not None else next(_seq)) % 1_000_000:06d}"
    draft = f"{wmi}2A21K0R1{serial}"
    return draft[:8] + vin_check_digit(draft) + draft[9:]


def make_model(**fields: Any) -> VehicleModel:
    n = next(_seq)
    fields.setdefault("brand", "丰田")
    fields.setdefault("name", f"卡罗拉{n}")
    fields.setdefault("body_type", "sedan")
    fields.setdefault("msrp", Decimal("120000"))
    fields.setdefault("cost", Decimal("108000"))
    fields.setdefault("first_service_km", 5000)
    fields.setdefault("first_service_months", 3)
    fields.setdefault("service_interval_km", 10000)
    fields.setdefault("service_interval_months", 6)
    return VehicleModel.objects.create(**fields)


def make_customer(store: Store, owner: User | None = None, **fields: Any) -> Customer:
    n = next(_seq)
    fields.setdefault("name", f"车主{n}")
    fields.setdefault("mobile", f"138{n:08d}")
    fields.setdefault("status", "customer")
    return Customer.objects.create(store=store, owner=owner, **fields)


def deliver(
    *,
    store: Store,
    consultant: User,
    delivered_on: date,
    customer: Customer | None = None,
    model: VehicleModel | None = None,
    vin: str | None = None,
) -> Vehicle:
    """An order delivered on `delivered_on`; the signal makes its vehicle."""
    customer = customer or make_customer(store, consultant)
    order = Order.objects.create(
        store=store,
        customer=customer,
        consultant=consultant,
        vehicle_model=model or make_model(),
        order_date=delivered_on,
        amount=Decimal("120000"),
        cost=Decimal("108000"),
        status=OrderStatus.DELIVERED,
        delivered_on=delivered_on,
        vin=vin or make_vin(),
    )
    order_delivered.send(sender=Order, order=order)
    return Vehicle.objects.get(order=order)
