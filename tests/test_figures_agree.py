"""One month, four places: the scorecard, plan tracking, the manager dashboard and the
daily reports show the same units, revenue and collections for a store and for each of
its consultants (issue 12 acceptance).

Every record is made through the services the product uses, with the cases that have
split these figures before: money a consultant collects on a receivable another booked,
a receivable handed over, a payment reversed (红冲), a cancelled order, credit
instalments either side of the month's end, last month's order paid this month, the
month's first and last days, and another store's sale the same month.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.activities import selectors as activities
from apps.activities.models import DailyReport
from apps.activities.services import daily_report_save
from apps.catalog.models import VehicleModel
from apps.customers.services import customer_create
from apps.dashboard.selectors import manager_dashboard
from apps.org.models import Store, User
from apps.plans import selectors as plans
from apps.plans import services as plan_services
from apps.plans.models import Target
from apps.sales import services as sales
from apps.sales.models import Receivable
from apps.scoring.periods import month as month_of
from apps.scoring.selectors import scorecards

pytestmark = pytest.mark.django_db

FIGURES = ("units", "revenue", "collections")


def _month() -> tuple[date, date]:
    """Last month: closed, every day of it in the past."""
    end = timezone.localdate().replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _customer(store: Store, owner: User, n: int, **extra: object):
    return customer_create(store=store, owner=owner, name=f"客户{n}", mobile=f"1580000{n:04d}", **extra)


def _book(store: Store, consultant: User, customer, day: date, amount: int, **extra: object):
    model = VehicleModel.objects.get_or_create(
        brand="丰田", name="凯美瑞", defaults={"body_type": "sedan", "msrp": 179800, "cost": 160000}
    )[0]
    return sales.order_create(
        by=extra.pop("by", consultant),
        store=store,
        customer=customer,
        consultant=consultant,
        vehicle_model=model,
        order_date=day,
        amount=Decimal(amount),
        cost=Decimal(amount) * Decimal("0.9"),
        **extra,
    )


def _pay(customer, day: date, amount: int, finance: User):
    return sales.payment_record(
        customer=customer, amount=Decimal(amount), received_on=day, method="transfer", recorded_by=finance
    )


@pytest.fixture
def month_of_records(
    store, other_store, manager, consultant, consultant2, other_consultant, finance, admin_user
):
    first, last = _month()
    before = first - timedelta(days=3)
    # consultant: two sales (the first and the last day), one paid in two parts.
    a = _customer(store, consultant, 1)
    _book(store, consultant, a, first, 200000)
    _pay(a, first, 50000, finance)
    _pay(a, first + timedelta(days=9), 150000, finance)
    b = _customer(store, consultant, 2)
    _book(store, consultant, b, last, 120000)
    _pay(b, last + timedelta(days=1), 120000, finance)  # next month's money
    # consultant2 books for consultant's customer: the receivable (and its money) is his.
    c = _customer(store, consultant, 3)
    _book(store, consultant2, c, first + timedelta(days=4), 300000)
    _pay(c, first + timedelta(days=6), 100000, finance)
    # A payment recorded in error and reversed (nets to zero), then the right one.
    wrong = _pay(c, first + timedelta(days=7), 90000, finance)
    sales.payment_reverse(payment=wrong, reason="金额录入错误", by=finance)
    _pay(c, first + timedelta(days=7), 9000, finance)
    # Credit: three instalments, the first due (and paid) this month, the rest later.
    d = _customer(store, consultant2, 4, kind="company", credit_limit=Decimal(1000000))
    day = first + timedelta(days=2)
    _book(
        store,
        consultant2,
        d,
        day,
        270000,
        settlement="credit",
        instalments=[{"due_date": day + timedelta(days=k * 30), "amount": Decimal(90000)} for k in range(3)],
    )
    _pay(d, day + timedelta(days=1), 90000, finance)
    # Last month's order, paid this month: collections, not units.
    e = _customer(store, consultant, 5)
    _book(store, consultant, e, before, 150000)
    _pay(e, first + timedelta(days=3), 150000, finance)
    # A receivable handed over before it was paid: the money counts for consultant2.
    f = _customer(store, consultant, 6)
    handed = _book(store, consultant, f, first + timedelta(days=5), 100000)
    sales.receivables_hand_over(
        receivables=Receivable.objects.filter(order=handed),
        to_user=consultant2,
        by=manager,
        reason="离职交接",
    )
    _pay(f, first + timedelta(days=8), 60000, finance)
    # Cancelled: counts nowhere.
    g = _customer(store, consultant2, 7)
    cancelled = _book(store, consultant2, g, first + timedelta(days=10), 500000)
    sales.order_cancel(order=cancelled, reason="客户改订其他车型", by=consultant2)
    # Another store's sale, the same month.
    h = _customer(other_store, other_consultant, 8)
    _book(other_store, other_consultant, h, first + timedelta(days=1), 400000)
    _pay(h, first + timedelta(days=1), 400000, finance)
    # Daily reports, submitted the evening of each working day.
    for person in (consultant, consultant2):
        for n in range((last - first).days + 1):
            daily_report_save(consultant=person, date=first + timedelta(days=n), submit=True)
    # The year's plan, approved, down to the month's consultants.
    plan = plan_services.plan_create(
        store=store,
        year=first.year,
        by=manager,
        values={
            "units": 120,
            "revenue": Decimal("24000000.00"),
            "collections": Decimal("23000000.00"),
            "gross_profit": Decimal("2400000.00"),
            "new_customers": 100,
            "visits": 2000,
        },
        expense_budget=Decimal("100000.00"),
    )
    for root in Target.objects.filter(plan=plan, parent=None, measure__in=FIGURES):
        for node in plan_services.target_break_down(node=root, into="month", method="even", by=manager):
            if node.period_start == first:
                plan_services.target_break_down(node=node, into="consultant", method="even", by=manager)
    plan_services.plan_submit(plan=plan, by=manager)
    plan_services.plan_approve(plan=plan, by=admin_user)
    return plan


# What the records above add up to for the month (by hand, from the story).
EXPECTED = {
    "consultant": {"units": 3, "revenue": Decimal(420000), "collections": Decimal(350000)},
    "consultant2": {"units": 2, "revenue": Decimal(570000), "collections": Decimal(259000)},
}


def _scorecard(store: Store, people: list[User], first: date) -> dict[str, dict[str, Decimal]]:
    cards = scorecards(stores=[store], periods=[month_of(first)])
    out = {}
    for person in people:
        figures = cards[person.pk, f"{first:%Y-%m}"].figures
        out[person.username] = {
            "units": Decimal(figures["units"]),
            "revenue": figures["sales_revenue"],
            "collections": figures["collections"],
        }
    return out


def _tracking(
    plan, people: list[User], first: date
) -> tuple[dict[str, Decimal], dict[str, dict[str, Decimal]]]:
    nodes = [n for root in plans.plan_tree(plan) for n in root.children if n.target.period_start == first]
    store = {n.target.measure: n.tracking.actual for n in nodes}
    people_figures: dict[str, dict[str, Decimal]] = {p.username: {} for p in people}
    by_id = {p.pk: p.username for p in people}
    for n in nodes:
        for child in n.children:
            people_figures[by_id[child.target.consultant_id]][n.target.measure] = child.tracking.actual
    return store, people_figures


def _dashboard(
    manager: User, store: Store, last: date
) -> tuple[dict[str, Decimal], dict[str, dict[str, Decimal]]]:
    data = manager_dashboard(user=manager, store=store, today=last)  # the month seen on its last day
    tiles = {t["measure"]: t["actual"] for t in data["tiles"] if t["measure"] in FIGURES}
    ranking = {
        r["consultant__username"]: {"units": Decimal(r["units"]), "revenue": r["revenue"]}
        for r in data["ranking"]
    }
    return tiles, ranking


def _daily_reports(people: list[User], first: date, last: date) -> dict[str, dict[str, Decimal]]:
    """The day's figures each report shows, added up over the month: the pre-filled
    report (day_figures) and the reports list (with_day_figures) must say the same."""
    out = {}
    listed = {
        (r.consultant_id, r.date): r
        for r in activities.with_day_figures(DailyReport.objects.filter(date__range=(first, last)))
    }
    for person in people:
        units, revenue, collections = Decimal(0), Decimal(0), Decimal(0)
        day = first
        while day <= last:
            figures = activities.day_figures(person, day)
            row = listed[person.pk, day]
            assert (row.orders_count, row.payments_total) == (len(figures.orders), figures.payments_total), (
                day
            )
            units += len(figures.orders)
            revenue += sum((o.amount for o in figures.orders), Decimal(0))
            collections += figures.payments_total
            day += timedelta(days=1)
        out[person.username] = {"units": units, "revenue": revenue, "collections": collections}
    return out


def test_scorecard_plan_tracking_dashboard_and_daily_reports_agree_on_a_month(
    month_of_records, store, manager, consultant, consultant2
):
    first, last = _month()
    people = [consultant, consultant2]
    cards = _scorecard(store, people, first)
    tracked_store, tracked = _tracking(month_of_records, people, first)
    tiles, ranking = _dashboard(manager, store, last)
    reports = _daily_reports(people, first, last)

    for person in people:
        name = person.username
        want = EXPECTED[name]
        assert cards[name] == want, f"scorecard of {name}"
        assert tracked[name] == want, f"plan tracking of {name}"
        assert reports[name] == want, f"daily reports of {name}"
        assert ranking[name] == {"units": want["units"], "revenue": want["revenue"]}, (
            f"dashboard ranking of {name}"
        )
    store_total = {k: sum((EXPECTED[p][k] for p in EXPECTED), Decimal(0)) for k in FIGURES}
    assert tracked_store == store_total, "plan tracking, the store's month"
    assert tiles == store_total, "dashboard tiles"
    assert {k: sum((cards[p][k] for p in cards), Decimal(0)) for k in FIGURES} == store_total
