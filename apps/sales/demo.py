"""Demo order book: two years of orders — last year in full (and the December before it,
whose money comes in last January) and this year to date — booked,
delivered (valid VINs) and paid through the sales services, so every order has its
receivables and every figure is one the product could have produced.

The story, per consultant: last year he sold at his own pace, following the seasons
(SEASONAL, the plans demo's monthly profile). This year the store planned last year + 10%
(the plans demo reads last year's actuals), and each consultant delivers his own share
of it (THIS_YEAR_FORM: 83 % … 108 % of plan), month by month with a little noise. The
models of this year's orders are picked so a month's revenue follows the same story.

Customers: the prospects of the customers demo whose opportunities end ordered or
delivered buy first; walk-in buyers (registered a few days before their order) make up
each consultant's month. Collections: most pay on the due date or within three days,
about one in seven late (two to six weeks), one in eight of the last two months' buyers not
yet (overdue);
credit customers pay three monthly instalments. A recorded-in-error payment is reversed
and recorded again, an unpaid order is cancelled, and a few of last year's buyers are
lost later, each with a reason.

Idempotent: a store with orders already is left alone; its own fixed random source.
"""

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from random import Random

from django.utils import timezone

from apps.catalog.models import VehicleModel
from apps.customers.counts import counts_refresh
from apps.customers.demo import SURNAMES  # the same pool of family names as the customers demo
from apps.customers.models import Customer, Opportunity, OwnershipChange, Stage
from apps.customers.services import customer_create, customer_update
from apps.org.demo import DemoContext
from apps.org.models import Store, User
from apps.org.roles import Role

from . import services
from .models import Order, Payment

WMI = {"bj-cy": "LFV", "sh-pd": "LSV"}
# Monthly profile of the trade (Jan … Dec): Spring Festival in Jan/Feb, the year-end push.
SEASONAL = [9, 5, 8, 8, 8, 8, 7, 7, 9, 10, 10, 11]
PLAN_GROWTH = Decimal("1.1")  # the plans demo: this year's plan is last year's actuals + 10 %
# Units a month, on average over the year, by consultant (in the store's order of them).
PACE = {"bj-cy": [2.8, 2.5, 2.2, 1.9, 1.7, 1.5], "sh-pd": [2.7, 2.5, 2.1, 1.9, 1.6, 1.4]}
# This year's result against his plan, by consultant: a spread a manager would see.
THIS_YEAR_FORM = {
    "bj-cy": [1.04, 0.97, 1.08, 0.88, 0.84, 0.93],
    "sh-pd": [0.94, 1.06, 0.86, 1.01, 0.90, 0.83],
}
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "辉",
]
COMPANIES = ["远航物流有限公司", "金桥建材集团", "宏达商务服务公司", "新锐科技有限公司", "瑞丰医药连锁"]
DISTRICTS = {
    "bj-cy": ["朝阳区", "东城区", "海淀区", "通州区", "顺义区"],
    "sh-pd": ["浦东新区", "徐汇区", "闵行区", "静安区", "杨浦区"],
}
BUYER_LOST_REASONS = ["车辆已转卖", "搬家至外地", "转到其他4S店保养", "对售后服务不满意"]


def demo_vin(store_code: str, n: int) -> str:
    """A VIN with a correct check digit (position 9), numbered n."""
    raw = f"{WMI.get(store_code, 'LGB')}3A2FZ0P{n:07d}"[:17]
    digit = services.vin_check_digit(raw)
    return raw[:8] + digit + raw[9:]


@dataclass
class Booking:
    """One order to book: who sells what to whom, when."""

    consultant: User
    day: date
    model: VehicleModel | None = None
    opportunity: Opportunity | None = None
    deliver: bool = True
    company: bool = False


@dataclass
class Book:
    """A store's plan of orders, per consultant and month."""

    bookings: list[Booking] = field(default_factory=list)


def _months(first: date, today: date) -> list[date]:
    out, m = [], first
    while m <= today:
        out.append(m)
        m = date(m.year + m.month // 12, m.month % 12 + 1, 1)
    return out


def _diffuse(values: list[float], rng: Random) -> list[int]:
    """Whole units from fractional ones, carrying the remainder (so sums stay true), with
    a little noise so no two months look machine-made."""
    out, carry = [], 0.0
    for v in values:
        want = v + carry + rng.uniform(-0.45, 0.45)
        n = max(0, round(want))
        carry = v + carry - n
        out.append(n)
    return out


def _price(model: VehicleModel) -> Decimal:
    return model.msrp * Decimal("0.98")  # the typical discount


def seed(ctx: DemoContext) -> None:
    rng = Random(4004)
    plans: list[tuple[Opportunity, str]] = ctx.extra.get("demo_opportunity_plans", [])
    done_stores = set(Order.objects.values_list("store_id", flat=True).distinct())
    finance = ctx.users.get("finance") or User.objects.filter(role=Role.FINANCE).first()
    models = list(ctx.extra.get("models") or VehicleModel.objects.filter(is_active=True).order_by("pk"))
    if finance is None or not models:
        return
    vin_no = Order.objects.count() + 1
    for store_no, store in enumerate(ctx.stores, start=1):
        if store.pk in done_stores:
            continue
        book = _plan_book(ctx, rng, store, models, [p for p in plans if p[0].store_id == store.pk])
        vin_no = _book(ctx, rng, store, store_no, book, finance, vin_no)
        _corrections(store, finance)
        _lost_buyers(ctx, rng, store)
        # The buyers' registrations were moved into the past behind the services.
        counts_refresh(customer_ids=Customer.objects.filter(store=store).values_list("pk", flat=True))
    ctx.extra["orders"] = list(Order.objects.filter(store__in=ctx.stores))


def _plan_book(
    ctx: DemoContext,
    rng: Random,
    store: Store,
    models: list[VehicleModel],
    plans: list[tuple[Opportunity, str]],
) -> Book:
    today = ctx.today
    last_year = _months(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    this_year = _months(date(today.year, 1, 1), today)
    consultants = ctx.consultants(store)
    paces = PACE.get(store.code) or [2.5] * len(consultants)
    forms = THIS_YEAR_FORM.get(store.code) or [1.0] * len(consultants)
    season = sum(SEASONAL)
    # The prospects who buy: their order some days after they came, by their owner.
    by_month: dict[tuple[int, date], list[Booking]] = {}
    for opportunity, final in plans:
        owner = opportunity.owner or opportunity.customer.owner
        if owner is None or owner not in consultants or opportunity.vehicle_model is None:
            continue
        day = min(opportunity.customer.created_at.date() + timedelta(days=rng.randint(5, 40)), today)
        if day.year < today.year - 1:
            continue
        booking = Booking(
            owner,
            day,
            opportunity.vehicle_model,
            opportunity,
            deliver=final == Stage.DELIVERED,
            company=opportunity.customer.kind == "company",
        )
        by_month.setdefault((owner.pk, day.replace(day=1)), []).append(booking)
    book = Book()
    for i, person in enumerate(consultants):
        pace = paces[i % len(paces)]
        # His own taste in cars: a favourite few, so his revenue per unit is his own.
        favourites = rng.sample(models, k=min(6, len(models)))
        units_last = _diffuse([pace * 12 * w / season for w in SEASONAL], rng)
        # The December before: its late money and credit instalments come in last January,
        # as every January's do, so last year's collections are a whole year's.
        december = date(today.year - 2, 12, 1)
        for _k in range(round(pace * 12 * SEASONAL[11] / season)):
            book.bookings.append(Booking(person, _day_in(rng, december, today), rng.choice(favourites)))
        revenue_last: dict[int, Decimal] = {}
        for m, n in zip(last_year, units_last, strict=True):
            chosen = _take(by_month.pop((person.pk, m), []), n)
            while len(chosen) < n:
                chosen.append(Booking(person, _day_in(rng, m, today), rng.choice(favourites)))
            book.bookings.extend(chosen)
            revenue_last[m.month] = sum((_price(b.model) for b in chosen if b.model), Decimal(0))
        form = forms[i % len(forms)]
        wanted = []
        for m in this_year:
            share = 1.0
            if m.year == today.year and m.month == today.month:
                share = today.day / monthrange(m.year, m.month)[1]  # the month so far
            wanted.append(units_last[m.month - 1] * float(PLAN_GROWTH) * form * share)
        # Revenue follows the same story over the year: each month's models are picked so
        # the year to date stays near last year's revenue to date x growth x form.
        cheapest, dearest = min(_price(v) for v in models), max(_price(v) for v in models)
        aimed = got = Decimal(0)
        for m, n in zip(this_year, _diffuse(wanted, rng), strict=True):
            chosen = _take(by_month.pop((person.pk, m), []), n)
            month_target = revenue_last.get(m.month, Decimal(0)) * PLAN_GROWTH * Decimal(str(form))
            if m.month == today.month:
                month_target *= Decimal(str(today.day / monthrange(m.year, m.month)[1]))
            aimed += month_target
            got += sum((_price(b.model) for b in chosen if b.model), Decimal(0))
            while len(chosen) < n:
                left = n - len(chosen)
                aim = min(max((aimed - got) / left, cheapest), dearest)
                # One of the three models priced nearest the aim.
                model = rng.choice(sorted(models, key=lambda v: abs(_price(v) - aim))[:3])
                chosen.append(Booking(person, _day_in(rng, m, today), model))
                got += _price(model)
            book.bookings.extend(chosen)
    # A prospect left over (his consultant's month was full) has not bought yet: his
    # opportunity stays in negotiation.
    book.bookings.sort(key=lambda b: (b.day, b.consultant.pk))
    return book


def _take(bookings: list[Booking], n: int) -> list[Booking]:
    return sorted(bookings, key=lambda b: b.day)[:n]


def _day_in(rng: Random, month: date, today: date) -> date:
    last = monthrange(month.year, month.month)[1]
    if month.year == today.year and month.month == today.month:
        last = today.day
    return month.replace(day=rng.randint(1, last))


def _aware(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _buyer(rng: Random, store: Store, store_no: int, n: int, booking: Booking, today: date) -> Customer:
    """A walk-in buyer registered a few days to weeks before his order."""
    company = rng.random() < 0.05
    booking.company = company
    customer = customer_create(
        store=store,
        owner=booking.consultant,
        kind="company" if company else "person",
        name=rng.choice(COMPANIES) if company else rng.choice(SURNAMES) + rng.choice(GIVEN),
        mobile=f"135{store_no}{n:07d}",
        gender="" if company else rng.choice(["male", "female"]),
        region=rng.choice(DISTRICTS.get(store.code, ["市区"])),
        source="fleet"
        if company
        else rng.choice(["walk_in", "walk_in", "walk_in", "phone", "online", "referral"]),
        grade="A",
        credit_rating="A" if company else "",
        credit_limit=Decimal(800000) if company else Decimal(0),
    )
    came = booking.day - timedelta(days=rng.randint(2, 30))
    # A recent buyer has his after-delivery call ahead; older ones were followed up long ago.
    follow_up = booking.day + timedelta(days=30) if booking.day > today - timedelta(days=45) else None
    Customer.objects.filter(pk=customer.pk).update(
        created_at=_aware(came, 10), last_contact_at=_aware(booking.day, 15), next_follow_up=follow_up
    )
    # Registered when he came: his owner as of a past period's end reads this row.
    OwnershipChange.objects.filter(customer=customer).update(at=_aware(came, 10))
    return customer


def _book(
    ctx: DemoContext, rng: Random, store: Store, store_no: int, book: Book, finance: User, vin_no: int
) -> int:
    today = ctx.today
    manager = User.objects.filter(role=Role.MANAGER, stores=store).order_by("pk").first()
    for n, booking in enumerate(book.bookings):
        if booking.opportunity is not None:
            customer = booking.opportunity.customer
        else:
            customer = _buyer(rng, store, store_no, n, booking, today)
        model = booking.model
        assert model is not None
        # The discount is a share of the price (0–4 %), so the margin follows the revenue.
        discount = (model.msrp * Decimal(rng.choice([0, 1, 2, 2, 3, 4])) / 100).quantize(Decimal(100))
        amount = model.msrp - discount
        cost = model.cost + Decimal(rng.choice([0, 1500, 3000]))
        settlement = (
            "credit" if booking.company else rng.choice(["full", "full", "full", "loan", "loan", "lease"])
        )
        instalments = None
        if settlement == "credit":
            third = (amount / 3).quantize(Decimal("0.01"))
            instalments = [
                {
                    "due_date": booking.day + timedelta(days=30 * (k + 1)),
                    "amount": third if k < 2 else amount - 2 * third,
                }
                for k in range(3)
            ]
        order = services.order_create(
            by=manager if settlement == "credit" and manager else booking.consultant,
            store=store,
            customer=customer,
            consultant=booking.consultant,
            vehicle_model=model,
            order_date=booking.day,
            amount=amount,
            cost=cost,
            discount=discount,
            settlement=settlement,
            instalments=instalments,
            opportunity=booking.opportunity,
            credit_override_reason="集团客户, 总经理批准" if settlement == "credit" else "",
        )
        delivered = booking.day + timedelta(days=rng.randint(3, 25))
        if booking.deliver and delivered <= today:
            services.order_deliver(
                order=order, delivered_on=delivered, vin=demo_vin(store.code, vin_no), by=booking.consultant
            )
            vin_no += 1
        _collect(rng, order, customer, settlement, finance, today)
    return vin_no


def _collect(
    rng: Random, order: Order, customer: Customer, settlement: str, finance: User, today: date
) -> None:
    """Most pay on time, some late; a few of the last months' buyers not yet (overdue)."""
    behaviour = rng.random()
    if behaviour < 0.12 and order.order_date > today - timedelta(days=60):
        return
    late = behaviour < 0.16
    method = (
        ["transfer", "transfer", "card", "loan"] if settlement == "loan" else ["transfer", "card", "cash"]
    )
    for receivable in order.receivables.order_by("due_date"):
        delay = rng.randint(15, 40) if late else rng.randint(0, 3)
        paid_on = receivable.due_date + timedelta(days=delay)
        parts = [(paid_on, receivable.amount)]
        if rng.random() < 0.08:  # a deposit first, the rest when the car is ready
            half = (receivable.amount / 2).quantize(Decimal("0.01"))
            parts = [
                (paid_on, half),
                (paid_on + timedelta(days=rng.randint(7, 20)), receivable.amount - half),
            ]
        for day, amount in parts:
            if day > today:
                return
            services.payment_record(
                customer=customer,
                amount=amount,
                received_on=day,
                method=rng.choice(method),
                recorded_by=finance,
                note="",
            )


def _corrections(store: Store, finance: User) -> None:
    """A payment typed with the wrong amount, reversed (红冲) and recorded again; an order
    the customer replaced, cancelled before he paid."""
    payment = (
        Payment.objects.filter(store=store, reverses__isnull=True, reversal__isnull=True, amount__gt=0)
        .order_by("-received_on", "-pk")
        .first()
    )
    if payment is not None:
        services.payment_reverse(payment=payment, reason="金额录入错误, 红冲", by=finance)
        services.payment_record(
            customer=payment.customer,
            amount=payment.amount,
            received_on=payment.received_on,
            method=payment.method,
            recorded_by=finance,
            note="红冲后重新录入",
        )
    cancel = (
        Order.objects.filter(store=store, status="open", receivables__paid=0, settlement="full")
        .order_by("-order_date", "-pk")
        .first()
    )
    if cancel is not None:
        services.order_cancel(order=cancel, reason="客户改订其他车型", by=cancel.consultant)


def _lost_buyers(ctx: DemoContext, rng: Random, store: Store) -> None:
    """A few of last year's buyers are lost to the store months after their purchase."""
    buyers = list(
        Customer.objects.filter(
            store=store,
            status="customer",
            orders__order_date__year=ctx.today.year - 1,
            orders__order_date__month__lte=8,
        )
        .distinct()
        .order_by("pk")
    )
    for customer in rng.sample(buyers, k=min(len(buyers), 8)):
        bought = customer.orders.order_by("order_date").values_list("order_date", flat=True).first()
        assert bought is not None
        lost_on = min(bought + timedelta(days=rng.randint(120, 400)), ctx.today)
        customer_update(
            customer=customer,
            by=customer.owner or ctx.users["admin"],
            status="lost",
            lost_reason=rng.choice(BUYER_LOST_REASONS),
            lost_on=lost_on,
        )
