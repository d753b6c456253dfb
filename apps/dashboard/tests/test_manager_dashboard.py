"""The manager's dashboard (SPEC §7): month to date against target, funnel, ranking, aging."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.catalog.models import VehicleModel
from apps.customers.models import Customer
from apps.plans.models import Plan, Target
from apps.sales.models import Order, Receivable

pytestmark = pytest.mark.django_db


@pytest.fixture
def model(db):
    return VehicleModel.objects.create(
        brand="丰田", name="凯美瑞", body_type="sedan", msrp=179800, cost=160000
    )


def order(store, consultant, model, mobile, amount, on, status="open"):
    customer = Customer.objects.create(
        store=store, owner=consultant, name="客户", mobile=mobile, status="customer"
    )
    o = Order.objects.create(
        store=store,
        customer=customer,
        consultant=consultant,
        vehicle_model=model,
        order_date=on,
        amount=Decimal(amount),
        cost=Decimal(amount) - 10000,
        status=status,
        cancel_reason="换车" if status == "cancelled" else "",
    )
    Receivable.objects.create(
        store=store,
        order=o,
        customer=customer,
        responsible=consultant,
        due_date=on - timedelta(days=45),
        amount=Decimal(amount),
        cancelled=status == "cancelled",
    )
    return o


def month_target(store, manager, measure, value, today):
    plan, _ = Plan.objects.get_or_create(
        store=store, year=today.year, defaults={"status": "approved", "created_by": manager}
    )
    start = today.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Target.objects.create(
        plan=plan,
        period_kind="month",
        period_start=start,
        period_end=end,
        scope_type="store",
        scope_id=store.pk,
        measure=measure,
        value=Decimal(value),
    )


def test_a_managers_home_is_his_dashboard_with_actuals_against_target(
    client_as, manager, consultant, consultant2, store, model
):
    today = timezone.localdate()
    order(store, consultant, model, "13800000001", 200000, today)
    order(store, consultant2, model, "13800000002", 150000, today)
    order(store, consultant2, model, "13800000003", 999999, today, status="cancelled")  # never counts
    month_target(store, manager, "units", 4, today)
    response = client_as(manager).get("/")
    assert response.templates[0].name == "dashboard/manager.html"
    tiles = {t["measure"]: t for t in response.context["tiles"]}
    assert tiles["units"]["actual"] == 2 and tiles["units"]["target"] == 4
    assert tiles["revenue"]["actual"] == Decimal("350000") and tiles["revenue"]["target"] is None
    assert [r["consultant"] for r in response.context["ranking"]] == [consultant.pk, consultant2.pk]
    assert response.context["aging"]["d31_60"] == Decimal("350000")  # due 45 days ago, unpaid


def test_another_stores_dashboard_is_not_reachable_by_parameter(
    client_as, manager, other_store, other_consultant, model
):
    order(other_store, other_consultant, model, "13800000009", 300000, timezone.localdate())
    response = client_as(manager).get(f"/dashboard/?store={other_store.pk}")
    assert response.context["store"] != other_store
    assert response.context["ranking"] == []


def test_only_managers_open_the_dashboard(client_as, consultant):
    assert client_as(consultant).get("/dashboard/").status_code == 403


def test_the_dashboard_runs_a_fixed_number_of_queries(client_as, manager, consultant, store, model):
    client = client_as(manager)
    today = timezone.localdate()
    order(store, consultant, model, "13800000100", 100000, today)
    with CaptureQueriesContext(connection) as few:
        client.get("/dashboard/")
    for i in range(1, 25):
        order(store, consultant, model, f"138000001{i:02d}", 100000, today - timedelta(days=i % 3))
    with CaptureQueriesContext(connection) as many:
        assert client.get("/dashboard/").status_code == 200
    # One query per block (targets: one per measure family): rows never add queries.
    assert len(many) == len(few), "\n".join(q["sql"][:160] for q in many.captured_queries)


def test_month_bounds_cover_a_december():
    from apps.dashboard.selectors import _month_bounds

    assert _month_bounds(date(2026, 12, 15)) == (date(2026, 12, 1), date(2026, 12, 31))


def test_the_cars_sold_today_plural_gets_an_integer(client_as, manager, consultant, store, model):
    """Django warns (and will refuse) when a plural form is chosen by a Decimal."""
    import warnings

    order(store, consultant, model, "13800000021", 200000, timezone.localdate())
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        response = client_as(manager).get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["today_units"] == 1 and "1 car sold" in response.content.decode()
