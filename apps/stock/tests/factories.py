"""Cars for tests, through the stock services."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone

from apps.catalog.models import VehicleModel
from apps.catalog.vin import vin_check_digit
from apps.customers.tests.factories import make_vehicle_model
from apps.org.models import Store, User
from apps.stock import services
from apps.stock.models import Car

_numbers = count(1)


def stock_vin(n: int | None = None) -> str:
    """A valid VIN (check digit computed), unique per call unless `n` is given."""
    raw = f"LSVAB2BM0P{(n if n is not None else next(_numbers)) + 5000000:07d}"
    return raw[:8] + vin_check_digit(raw) + raw[9:]


def make_car(
    store: Store,
    by: User,
    vehicle_model: VehicleModel | None = None,
    arrived_on: date | None = None,
    **fields: Any,
) -> Car:
    fields.setdefault("colour", "珍珠白")
    fields.setdefault("cost", Decimal("150000.00"))
    return services.car_receive(
        store=store,
        vin=fields.pop("vin", None) or stock_vin(),
        vehicle_model=vehicle_model or make_vehicle_model(),
        arrived_on=arrived_on or timezone.localdate() - timedelta(days=20),
        by=by,
        **fields,
    )
