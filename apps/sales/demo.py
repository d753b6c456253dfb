"""Demo orders, deliveries (valid VINs), receivables and payments — some on time, some
late, some still overdue — plus a couple of reversals and cancellations.

Idempotent: a store with orders already is left alone; its own fixed random source."""

from datetime import timedelta
from decimal import Decimal
from random import Random

from apps.customers.models import Opportunity, Stage
from apps.org.demo import DemoContext
from apps.org.models import User
from apps.org.roles import Role

from . import services
from .models import Order, Payment

WMI = {"bj-cy": "LFV", "sh-pd": "LSV"}


def demo_vin(store_code: str, n: int) -> str:
    """A VIN with a correct check digit (position 9), numbered n."""
    raw = f"{WMI.get(store_code, 'LGB')}3A2FZ0P{n:07d}"[:17]
    digit = services.vin_check_digit(raw)
    return raw[:8] + digit + raw[9:]


def seed(ctx: DemoContext) -> None:
    rng = Random(4004)
    plans: list[tuple[Opportunity, str]] = ctx.extra.get("demo_opportunity_plans", [])
    done_stores = set(Order.objects.values_list("store_id", flat=True).distinct())
    finance = ctx.users.get("finance") or User.objects.filter(role=Role.FINANCE).first()
    today = ctx.today
    vin_no = Order.objects.count() + 1
    for opportunity, final in plans:
        store = opportunity.store
        if store.pk in done_stores:
            continue
        customer = opportunity.customer
        consultant = opportunity.owner or customer.owner
        if consultant is None or opportunity.vehicle_model is None:
            continue
        model = opportunity.vehicle_model
        created = customer.created_at.date()
        order_date = min(created + timedelta(days=rng.randint(5, 40)), today)
        discount = Decimal(rng.choice([0, 3000, 5000, 8000, 12000]))
        amount = model.msrp - discount
        cost = model.cost + Decimal(rng.choice([0, 1500, 3000]))
        company = customer.kind == "company"
        settlement = "credit" if company else rng.choice(["full", "full", "full", "loan", "lease"])
        instalments = None
        if settlement == "credit":
            third = (amount / 3).quantize(Decimal("0.01"))
            instalments = [
                {
                    "due_date": order_date + timedelta(days=30 * (k + 1)),
                    "amount": third if k < 2 else amount - 2 * third,
                }
                for k in range(3)
            ]
        manager = User.objects.filter(role=Role.MANAGER, stores=store).first()
        order = services.order_create(
            by=manager if settlement == "credit" and manager else consultant,
            store=store,
            customer=customer,
            consultant=consultant,
            vehicle_model=model,
            order_date=order_date,
            amount=amount,
            cost=cost,
            discount=discount,
            settlement=settlement,
            instalments=instalments,
            opportunity=opportunity,
            credit_override_reason="集团客户, 总经理批准" if settlement == "credit" else "",
        )
        if final == Stage.DELIVERED:
            delivered = min(order_date + timedelta(days=rng.randint(3, 25)), today)
            services.order_deliver(
                order=order, delivered_on=delivered, vin=demo_vin(store.code, vin_no), by=consultant
            )
            vin_no += 1
        if finance is None:
            continue
        # Collections: most pay on time, some late, some not yet (overdue).
        behaviour = rng.random()
        for receivable in order.receivables.order_by("due_date"):
            if behaviour < 0.12:
                break  # this customer has not paid: overdue when the due date has passed
            delay = rng.randint(0, 3) if behaviour < 0.8 else rng.randint(15, 70)  # late payers
            paid_on = receivable.due_date + timedelta(days=delay)
            if paid_on > today:
                break
            part = (
                receivable.amount if rng.random() < 0.9 else (receivable.amount / 2).quantize(Decimal("0.01"))
            )
            services.payment_record(
                customer=customer,
                amount=part,
                received_on=paid_on,
                method=rng.choice(
                    ["transfer", "transfer", "card", "loan"]
                    if settlement == "loan"
                    else ["transfer", "card", "cash"]
                ),
                recorded_by=finance,
                note="",
            )
    # A recorded-in-error payment and its reversal, and a cancelled order, per store.
    for store in ctx.stores:
        if store.pk in done_stores or finance is None:
            continue
        payment = (
            Payment.objects.filter(store=store, reverses__isnull=True, reversal__isnull=True)
            .order_by("-received_on", "-pk")
            .first()
        )
        if payment is not None:
            services.payment_reverse(payment=payment, reason="金额录入错误, 红冲", by=finance)
        cancel: Order | None = (
            Order.objects.filter(store=store, status="open", receivables__paid=0)
            .order_by("-order_date")
            .first()
        )
        if cancel is not None:
            services.order_cancel(order=cancel, reason="客户改订其他车型", by=cancel.consultant)
    ctx.extra["orders"] = list(Order.objects.filter(store__in=ctx.stores))
