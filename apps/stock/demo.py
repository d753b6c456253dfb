"""Demo stock: per store a yard of cars across the catalogue, arrived 0–130 days ago (so
every aging bucket and the over-limit flag show), and two announced in transit.

Idempotent: a store with cars already is left alone; its own fixed random source."""

from datetime import timedelta
from decimal import Decimal
from random import Random

from apps.catalog.models import VehicleModel
from apps.catalog.vin import vin_check_digit
from apps.org.demo import DemoContext
from apps.org.models import User
from apps.org.roles import Role

from . import services
from .models import Car, CarStatus

COLOURS = ["珍珠白", "曜石黑", "星空蓝", "银灰", "烈焰红"]
TRIMS = ["舒适版", "豪华版", "尊贵版"]


def _vin(store_index: int, n: int) -> str:
    raw = f"LVGD{store_index}A3K0P{n:07d}"[:17]
    return raw[:8] + vin_check_digit(raw) + raw[9:]


def seed(ctx: DemoContext) -> None:
    rng = Random(1717)
    models = list(VehicleModel.objects.filter(is_active=True).order_by("pk")[:8])
    if not models:
        return
    for index, store in enumerate(ctx.stores, start=1):
        if Car.objects.filter(store=store).exists():
            continue
        manager = User.objects.filter(role=Role.MANAGER, stores=store).order_by("pk").first()
        if manager is None:
            continue
        count = 16 if ctx.scale == "small" else 60
        for n in range(1, count + 3):
            model = rng.choice(models)
            in_transit = n > count
            services.car_receive(
                store=store,
                vin=_vin(index, n),
                vehicle_model=model,
                colour=rng.choice(COLOURS),
                trim=rng.choice(TRIMS),
                cost=(model.cost * Decimal(rng.randint(96, 100)) / 100).quantize(Decimal("0.01")),
                arrived_on=None if in_transit else ctx.today - timedelta(days=rng.randint(0, 130)),
                status=CarStatus.IN_TRANSIT if in_transit else CarStatus.IN_STOCK,
                by=manager,
            )
