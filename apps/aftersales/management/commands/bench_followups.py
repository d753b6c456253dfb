"""`make bench`: how long one day's follow-up generation takes for N vehicles.

Builds N vehicles (default 100,000) in a scratch store inside a transaction that is
rolled back at the end, so nothing stays behind; prints vehicles, tasks made, SQL
statements and seconds.
"""

import time
from datetime import date, timedelta
from random import Random
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.aftersales.models import ServiceKind, ServiceVisit, Vehicle
from apps.aftersales.services import followups_generate
from apps.catalog.models import VehicleModel
from apps.customers.models import Customer
from apps.org.models import Region, Store
from apps.sales.services import vin_check_digit


class Rollback(Exception):
    pass


def _vin(n: int) -> str:
    draft = f"LBE{n // 1_000_000 % 10}B21K0Z{n % 1_000_000:07d}"[:17]
    return draft[:8] + vin_check_digit(draft) + draft[9:]


class Command(BaseCommand):
    help = "Time one day of follow-up generation over N scratch vehicles (rolled back afterwards)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--vehicles", type=int, default=100_000)
        parser.add_argument("--on", help="the day to generate (default today)")

    def handle(self, *args: Any, vehicles: int, on: str | None, **options: Any) -> None:
        day = date.fromisoformat(on) if on else timezone.localdate()
        try:
            with transaction.atomic():
                self._run(vehicles, day)
                raise Rollback
        except Rollback:
            self.stdout.write("Scratch data rolled back.")

    def _run(self, n: int, day: date) -> None:
        rng = Random(7)
        t0 = time.perf_counter()
        region, _ = Region.objects.get_or_create(name="bench")
        store = Store.objects.create(name="bench store (scratch)", code="bench-scratch", region=region)
        model = VehicleModel.objects.create(
            brand="bench", name="bench", body_type="sedan", msrp=100000, cost=90000
        )
        customers = Customer.objects.bulk_create(
            [
                Customer(
                    store=store,
                    name=f"bench {i}",
                    mobile=f"13{i:09d}",
                    status="customer",
                    birthday=date(1980 + i % 30, 1 + i % 12, 1 + i % 28),
                )
                for i in range(n)
            ],
            batch_size=5000,
        )
        cars = []
        for i, customer in enumerate(customers):
            delivered = day - timedelta(days=rng.randrange(1, 900))
            serviced = delivered + timedelta(days=90) if delivered + timedelta(days=93) <= day else None
            cars.append(
                Vehicle(
                    store=store,
                    customer=customer,
                    vehicle_model=model,
                    vin=_vin(i),
                    delivered_on=delivered,
                    last_service_on=serviced,
                    last_service_km=5000 if serviced else None,
                    next_service_due=(serviced or delivered) + timedelta(days=180 if serviced else 90),
                    next_service_km=15000 if serviced else 5000,
                )
            )
        cars = Vehicle.objects.bulk_create(cars, batch_size=5000)
        ServiceVisit.objects.bulk_create(
            [
                ServiceVisit(
                    store=store,
                    vehicle=v,
                    date=v.last_service_on,
                    mileage=5000,
                    kind=ServiceKind.FIRST_SERVICE,
                )
                for v in cars
                if v.last_service_on
            ],
            batch_size=5000,
        )
        built = time.perf_counter() - t0
        with CaptureQueriesContext(connection) as queries:
            t1 = time.perf_counter()
            made = followups_generate(on=day, store_id=store.pk)
            seconds = time.perf_counter() - t1
        self.stdout.write(f"database:   {connection.vendor}")
        self.stdout.write(f"vehicles:   {n:,} (built in {built:.1f} s)")
        self.stdout.write(f"day:        {day}")
        tasks = sum(v for k, v in made.items() if k != "messages")
        self.stdout.write(f"tasks made: {tasks:,}, SMS queued: {made['messages']:,}")
        self.stdout.write("  by rule:  " + ", ".join(f"{k} {v}" for k, v in made.items() if k != "messages"))
        self.stdout.write(f"statements: {len(queries)}")
        self.stdout.write(f"seconds:    {seconds:.2f}")
        with CaptureQueriesContext(connection) as again:
            t2 = time.perf_counter()
            second = followups_generate(on=day, store_id=store.pk)
            seconds2 = time.perf_counter() - t2
        self.stdout.write(
            f"second run: {sum(second.values())} tasks made, {len(again)} statements, {seconds2:.2f} s"
        )
