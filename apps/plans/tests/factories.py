"""Factories for plans, and plain-ORM records for actuals (orders, payments, visits).

The sales and activities services are being built by others; these tests only need
the rows, so they are created with the ORM.
"""

from datetime import date, datetime, time
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone

from apps.catalog.models import VehicleModel
from apps.customers.models import Customer
from apps.org.models import Store, User
from apps.plans import services
from apps.plans.models import Plan

_n = count(1)

VALUES = {
    "units": 1000,
    "revenue": Decimal("150000000.00"),
    "collections": Decimal("140000000.00"),
    "gross_profit": Decimal("12000000.00"),
    "new_customers": 800,
    "visits": 12000,
}


def make_plan(store: Store, by: User, year: int | None = None, **values: Any) -> Plan:
    return services.plan_create(
        store=store,
        year=year or timezone.localdate().year,
        by=by,
        values={**VALUES, **values},
        expense_budget=Decimal("500000.00"),
    )


def root(plan: Plan, measure: str) -> Any:
    return plan.targets.get(parent=None, measure=measure)


def vehicle_model(body_type: str = "sedan", **fields: Any) -> VehicleModel:
    n = next(_n)
    return VehicleModel.objects.create(
        brand=fields.pop("brand", "丰田"),
        name=fields.pop("name", f"车型{n}"),
        body_type=body_type,
        msrp=Decimal("200000"),
        cost=Decimal("180000"),
        **fields,
    )


def customer(store: Store, owner: User | None) -> Customer:
    n = next(_n)
    return Customer.objects.create(store=store, owner=owner, name=f"客户{n}", mobile=f"138{n:08d}")


def order(
    consultant: User,
    store: Store,
    on: date,
    model: VehicleModel | None = None,
    amount: str = "100000.00",
    cost: str = "90000.00",
    cust: Customer | None = None,
    **fields: Any,
) -> Any:
    from apps.sales.models import Order

    return Order.objects.create(
        store=store,
        customer=cust or customer(store, consultant),
        consultant=consultant,
        vehicle_model=model or vehicle_model(),
        order_date=on,
        amount=Decimal(amount),
        cost=Decimal(cost),
        **fields,
    )


def collection(the_order: Any, amount: str, on: date, by: User) -> Any:
    """A receivable of the whole order and a payment of `amount` allocated to it."""
    from apps.sales.models import Allocation, Payment, Receivable

    rec = the_order.receivables.first() or Receivable.objects.create(
        store=the_order.store,
        order=the_order,
        customer=the_order.customer,
        responsible=the_order.consultant,
        due_date=the_order.order_date,
        amount=the_order.amount,
    )
    pay = Payment.objects.create(
        store=the_order.store,
        customer=the_order.customer,
        amount=Decimal(amount),
        received_on=on,
        recorded_by=by,
    )
    Allocation.objects.create(payment=pay, receivable=rec, amount=Decimal(amount))
    return pay


def reverse(pay: Any, on: date, by: User) -> Any:
    from apps.sales.models import Allocation, Payment

    counter = Payment.objects.create(
        store=pay.store,
        customer=pay.customer,
        amount=-pay.amount,
        received_on=on,
        recorded_by=by,
        reverses=pay,
    )
    for a in pay.allocations.all():
        Allocation.objects.create(payment=counter, receivable=a.receivable, amount=-a.amount)
    return counter


def visit(consultant: User, store: Store, at: datetime | date) -> Any:
    from apps.activities.models import Visit

    if isinstance(at, date) and not isinstance(at, datetime):
        at = timezone.make_aware(datetime.combine(at, time(10, 0)))
    return Visit.objects.create(
        store=store,
        consultant=consultant,
        customer=customer(store, consultant),
        channel="showroom",
        started_at=at,
        ended_at=at,
    )
