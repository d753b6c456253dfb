"""Plain record builders for scoring tests: the records scoring reads, written with the
ORM as the other apps' services would leave them (scoring never writes them itself),
with what those services keep beside them: a customer's first order date and counts."""

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Min

from apps.activities.models import DailyReport, Visit
from apps.catalog.models import VehicleModel
from apps.customers.counts import counts_refresh
from apps.customers.models import Customer
from apps.org.models import Store, User
from apps.plans.models import Plan, PlanStatus, Target
from apps.sales.models import Allocation, Order, Payment, Receivable

SH = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A moment on `day` in Shanghai."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


def vehicle_model() -> VehicleModel:
    return VehicleModel.objects.get_or_create(
        brand="丰田", name="凯美瑞", defaults={"body_type": "sedan", "msrp": 200000, "cost": 180000}
    )[0]


def customer(store: Store, owner: User | None, **extra: Any) -> Customer:
    n = next(_seq)
    made = Customer.objects.create(store=store, owner=owner, name=f"客户{n}", mobile=f"138{n:08d}", **extra)
    counts_refresh(customer_ids=[made.pk])
    return made


def kept(customer_: Customer) -> None:
    """What the services keep after a write to a customer's orders or history: his first
    order date (orders not cancelled) and his customer counts."""
    first = customer_.orders.exclude(status="cancelled").aggregate(d=Min("order_date"))["d"]
    Customer.objects.filter(pk=customer_.pk).update(first_order_on=first)
    counts_refresh(customer_ids=[customer_.pk])


def order(
    consultant: User,
    day: date,
    amount: Any = 100000,
    cost: Any = 90000,
    customer_: Customer | None = None,
    status: str = "open",
) -> Order:
    store = consultant.stores.first()
    assert store is not None
    made = Order.objects.create(
        store=store,
        customer=customer_ or customer(store, consultant),
        consultant=consultant,
        vehicle_model=vehicle_model(),
        order_date=day,
        amount=Decimal(amount),
        cost=Decimal(cost),
        status=status,
        cancel_reason="客户取消" if status == "cancelled" else "",
    )
    kept(made.customer)
    return made


def payment(order_: Order, day: date, amount: Any, responsible: User | None = None) -> Payment:
    """A payment fully allocated to a new receivable of the order."""
    receivable = Receivable.objects.create(
        store=order_.store,
        order=order_,
        customer=order_.customer,
        responsible=responsible or order_.consultant,
        due_date=day,
        amount=abs(Decimal(amount)),
    )
    pay = Payment.objects.create(
        store=order_.store,
        customer=order_.customer,
        amount=Decimal(amount),
        received_on=day,
        recorded_by=order_.consultant,
    )
    Allocation.objects.create(payment=pay, receivable=receivable, amount=Decimal(amount))
    return pay


def reverse(pay: Payment, day: date) -> Payment:
    counter = Payment.objects.create(
        store=pay.store,
        customer=pay.customer,
        amount=-pay.amount,
        received_on=day,
        recorded_by=pay.recorded_by,
        reverses=pay,
        note="红冲",
    )
    for a in pay.allocations.all():
        Allocation.objects.create(payment=counter, receivable=a.receivable, amount=-a.amount)
    return counter


def visit(
    consultant: User,
    start: datetime,
    minutes: int = 30,
    expense: Any = 0,
    late: bool = False,
    customer_: Customer | None = None,
) -> Visit:
    store = consultant.stores.first()
    assert store is not None
    return Visit.objects.create(
        store=store,
        consultant=consultant,
        customer=customer_ or customer(store, consultant),
        channel="showroom",
        started_at=start,
        ended_at=start + timedelta(minutes=minutes),
        expense=Decimal(expense),
        late=late,
    )


def report(consultant: User, day: date, on_time: bool = True, submitted: bool = True) -> DailyReport:
    store = consultant.stores.first()
    assert store is not None
    return DailyReport.objects.create(
        store=store,
        consultant=consultant,
        date=day,
        submitted_at=at(day, 19) if submitted else None,
        on_time=on_time,
    )


def target(
    consultant: User,
    measure: str,
    start: date,
    end: date,
    value: Any,
    kind: str = "month",
    approved: bool = True,
) -> Target:
    store = consultant.stores.first()
    assert store is not None
    plan = Plan.objects.get_or_create(
        store=store,
        year=start.year,
        defaults={"created_by": consultant, "status": PlanStatus.APPROVED if approved else PlanStatus.DRAFT},
    )[0]
    return Target.objects.create(
        plan=plan,
        period_kind=kind,
        period_start=start,
        period_end=end,
        scope_type="consultant",
        scope_id=consultant.pk,
        consultant=consultant,
        measure=measure,
        value=Decimal(value),
    )
