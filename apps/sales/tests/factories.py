"""Factories for orders and payments: always through the services."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.customers.models import Customer
from apps.customers.tests.factories import make_vehicle_model
from apps.org.models import User
from apps.sales import services
from apps.sales.models import Order, Payment


def make_vin(n: int) -> str:
    """A valid VIN (check digit computed) numbered n."""
    raw = f"LFV2A21K_7{n:07d}"
    digit = services.vin_check_digit(raw.replace("_", "0"))
    return raw.replace("_", digit)


def make_order(customer: Customer, by: User | None = None, **fields: Any) -> Order:
    consultant = fields.pop("consultant", None) or customer.owner
    assert consultant is not None
    fields.setdefault("vehicle_model", make_vehicle_model())
    fields.setdefault("order_date", timezone.localdate() - timedelta(days=10))
    fields.setdefault("amount", Decimal("100000.00"))
    fields.setdefault("cost", Decimal("90000.00"))
    return services.order_create(
        by=by or consultant, store=customer.store, customer=customer, consultant=consultant, **fields
    )


def pay(customer: Customer, amount: str | Decimal, by: User, on: date | None = None) -> Payment:
    return services.payment_record(
        customer=customer,
        amount=Decimal(amount),
        received_on=on or timezone.localdate(),
        method="transfer",
        recorded_by=by,
    )
