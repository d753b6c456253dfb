"""Demo after-sales: a year of deliveries followed up, service visits, today's queue.

Vehicles come from the sales demo's deliveries (two years of them, booked through the
sales services; backfilled set-based here, as their signals fire on commit).
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from random import Random

from django.db.models import Count
from django.utils import timezone

from apps.org.demo import DemoContext
from apps.org.models import Store
from apps.sales.services import vin_check_digit

from . import services
from .models import (
    Complaint,
    FollowUp,
    FollowUpStatus,
    MileageReading,
    Outcome,
    ReadingSource,
    ServiceKind,
    ServiceVisit,
    Vehicle,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
]
PLATE_PREFIX = {"bj-cy": "京", "sh-pd": "沪"}
PER_STORE = 104  # two deliveries a week for a year


def _vin(store_no: int, n: int) -> str:
    draft = f"LSV{store_no}A21K0P{n:07d}"[:17]
    return draft[:8] + vin_check_digit(draft) + draft[9:]


def _plates(store: Store, rng: Random) -> None:
    prefix = PLATE_PREFIX.get(store.code, "京")
    letters = "ABCDEFGHJKLMNPQ"
    for v in Vehicle.objects.filter(store=store, plate=""):
        v.plate = f"{prefix}{letters[v.pk % len(letters)]}{(v.pk * 7919) % 100000:05d}"
        v.save(update_fields=["plate"])


def _visits(ctx: DemoContext, store: Store, rng: Random) -> None:
    """A first service and six-monthly maintenance for most owners; a quarter never come.

    Written in bulk (the data is consistent by construction), then each serviced
    vehicle's prediction is recomputed by the service."""
    advisor = next(
        (u for u in ctx.users.values() if u.role == "service_advisor" and store in u.stores.all()), None
    )
    served = set(ServiceVisit.objects.filter(store=store).values_list("vehicle_id", flat=True))
    visits, readings, touched = [], [], []
    for v in Vehicle.objects.filter(store=store).order_by("pk"):
        if v.pk in served or v.pk % 4 == 0:
            continue
        per_day = 25 + (v.pk * 37) % 40
        day = v.delivered_on + timedelta(days=75 + v.pk % 20)
        kind = ServiceKind.FIRST_SERVICE
        while day < ctx.today - timedelta(days=1):
            km = per_day * (day - v.delivered_on).days
            amount = Decimal(0) if kind == ServiceKind.FIRST_SERVICE else Decimal(480 + (v.pk % 5) * 60)
            visits.append(
                ServiceVisit(
                    store=store, vehicle=v, date=day, mileage=km, kind=kind, advisor=advisor, amount=amount
                )
            )
            readings.append(MileageReading(vehicle=v, date=day, mileage=km, source=ReadingSource.SERVICE))
            kind = ServiceKind.MAINTENANCE
            day += timedelta(days=170 + v.pk % 25)
        if kind == ServiceKind.MAINTENANCE:
            touched.append(v)
    ServiceVisit.objects.bulk_create(visits)
    MileageReading.objects.bulk_create(readings)
    for v in Vehicle.objects.filter(pk__in=[v.pk for v in touched]).select_related("vehicle_model"):
        services.vehicle_recompute(vehicle=v)


def _work_the_queue(ctx: DemoContext, rng: Random) -> None:
    """Calls of the past days were worked (some reached, some not), so KPIs have figures."""
    if FollowUp.objects.filter(status=FollowUpStatus.DONE, channel="call").exists():
        return
    agents = {
        s.pk: [u for u in ctx.users.values() if u.role == "customer_service" and s in u.stores.all()]
        for s in ctx.stores
    }
    past = FollowUp.objects.filter(
        channel="call", status=FollowUpStatus.OPEN, due_date__lt=ctx.today - timedelta(days=1)
    )
    for i, task in enumerate(past.select_related("store", "customer", "vehicle").order_by("pk")):
        team = agents.get(task.store_id) or []
        if not team or i % 3 == 2:
            continue  # left overdue: the queue shows them first
        agent = team[i % len(team)]
        outcome = Outcome.REACHED if i % 5 else Outcome.NO_ANSWER
        complaint = None
        if outcome == Outcome.REACHED and i % 11 == 1:
            complaint = {
                "category": ["waiting_time", "service_attitude", "vehicle_quality", "price"][i % 4],
                "severity": ["low", "medium", "high"][i % 3],
                "department": "service",
                "description": "保养等待时间超过两小时，客户希望改进预约流程。",
            }
        done = services.followup_complete(
            followup=task,
            by=agent,
            outcome=outcome,
            satisfaction=(3 + i % 3) if outcome == Outcome.REACHED else None,
            booking_made=outcome == Outcome.REACHED and i % 4 == 0,
            complaint=complaint,
            today=task.due_date,
        )
        # Back-date the work to when it was done: on the due day, one in four a day late.
        worked_at = timezone.make_aware(
            datetime.combine(task.due_date + timedelta(days=int(i % 4 == 3)), time(10))
        )
        if done.completed_at:
            FollowUp.objects.filter(pk=done.pk).update(completed_at=worked_at + timedelta(minutes=7 * i))
        Complaint.objects.filter(raised_on=done).update(opened_at=worked_at)
    for c in Complaint.objects.filter(status="open").order_by("pk")[::2]:
        services.complaint_set_status(complaint=c, status="in_progress", by=None)
        services.complaint_set_status(
            complaint=c,
            status="resolved",
            by=None,
            resolution="已致电道歉并赠送一次免费洗车。",
            today=ctx.today,
        )
        # Resolved a day after it was raised, as it happened.
        Complaint.objects.filter(pk=c.pk).update(
            in_progress_at=c.opened_at + timedelta(hours=2), resolved_at=c.opened_at + timedelta(hours=26)
        )


def seed(ctx: DemoContext) -> None:
    rng = Random(606)
    stores = ctx.stores or list(Store.objects.all())
    services.rules_ensure(store_ids=[s.pk for s in stores])
    services.vehicles_backfill()  # the sales demo's deliveries (their signals fire on commit)
    for store in stores:
        _plates(store, rng)
        _visits(ctx, store, rng)
    # Generate the last fortnight day by day, as beat would have: today's queue with
    # overdue work in front of it.
    for back in range(14, -1, -1):
        services.followups_generate(on=ctx.today - timedelta(days=back))
    _work_the_queue(ctx, rng)
    ctx.extra["aftersales"] = dict(Vehicle.objects.aggregate(vehicles=Count("pk")))
