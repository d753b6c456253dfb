"""`seed_demo --scale medium|large` (apps/dashboard/demo_scale.py), on a tiny scale: the
set-based rows hold the rules the services hold, and a second run builds nothing."""

import io

import pytest
from django.db import connection

from apps.catalog.models import VehicleModel
from apps.catalog.vin import vin_validate
from apps.customers.counts import counts_check
from apps.dashboard import demo_scale
from apps.org.models import Store
from apps.sales.services import first_orders_check

pytestmark = pytest.mark.django_db

TINY = demo_scale.Scale(
    stores=2, consultants=6, customers=300, visits=2_000, orders=400, vehicles=700, service_visits=700
)


def one(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


@pytest.fixture
def tiny(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the scale demo is built with PostgreSQL's generate_series")
    for i, brand in enumerate(["丰田", "本田", "比亚迪"]):
        VehicleModel.objects.create(
            brand=brand, name=f"车型{i}", body_type="sedan", msrp=200000 + i * 10000, cost=180000
        )
    monkeypatch.setitem(demo_scale.SCALES, "tiny", TINY)
    return demo_scale.seed("tiny", io.StringIO())


def test_the_group_has_its_figures_and_every_rule_holds(tiny):
    figures = tiny["counts"]
    assert figures["stores"] == 2 and figures["consultants"] == 6
    assert figures["customers"] == 300 and figures["visits"] == 2_000 and figures["orders"] == 400
    assert figures["vehicles"] == 700
    assert figures["receivables"] >= 380 and figures["payments"] == figures["allocations"] > 0
    # A receivable for every order not cancelled, adding up to its amount.
    assert not one("""SELECT count(*) FROM sales_order o WHERE status <> 'cancelled' AND amount <>
        (SELECT coalesce(sum(amount), 0) FROM sales_receivable r WHERE r.order_id = o.id)""")
    # paid is what was allocated; a payment is allocated in full.
    assert not one("""SELECT count(*) FROM sales_receivable r WHERE paid <>
        (SELECT coalesce(sum(amount), 0) FROM sales_allocation a WHERE a.receivable_id = r.id)""")
    assert not one("""SELECT count(*) FROM sales_payment p WHERE amount <>
        (SELECT sum(amount) FROM sales_allocation a WHERE a.payment_id = p.id)""")
    # Every delivered order has its car, with the order's VIN; a car's last service is
    # its latest service visit.
    assert not one("""SELECT count(*) FROM sales_order o WHERE status = 'delivered' AND NOT EXISTS
        (SELECT 1 FROM aftersales_vehicle v WHERE v.order_id = o.id AND v.vin = o.vin)""")
    assert not one("""SELECT count(*) FROM aftersales_vehicle v WHERE last_service_on IS DISTINCT FROM
        (SELECT max(date) FROM aftersales_servicevisit s WHERE s.vehicle_id = v.id)""")
    # Nothing happens before its customer existed, or after today.
    assert not one("""SELECT count(*) FROM sales_order o JOIN customers_customer c ON c.id = o.customer_id
        WHERE o.order_date < (c.created_at AT TIME ZONE 'Asia/Shanghai')::date""")
    assert not one("SELECT count(*) FROM activities_visit WHERE started_at > now()")
    # An opportunity is "ordered" or "delivered" only with an order.
    assert not one("""SELECT count(*) FROM customers_opportunity op WHERE stage IN ('ordered', 'delivered')
        AND NOT EXISTS (SELECT 1 FROM sales_order o WHERE o.customer_id = op.customer_id)""")
    with connection.cursor() as cursor:
        cursor.execute("SELECT vin FROM aftersales_vehicle")
        for (vin,) in cursor.fetchall():
            assert vin_validate(vin) == vin
    # The first orders and customer counts kept beside the records are what the records say.
    group = list(Store.objects.filter(code__startswith="grp-").values_list("pk", flat=True))
    assert first_orders_check() == []
    report = counts_check(store_ids=group)
    assert report.ok and report.customers == 300, report.examples
    assert one("SELECT count(*) FROM customers_customerspan") > 200
    # The real generation ran for today over the group: the queue has work.
    assert one("SELECT count(*) FROM aftersales_followup WHERE status = 'open'") > 0


def test_a_second_run_builds_nothing(tiny):
    before = tiny["counts"]
    again = demo_scale.seed("tiny", io.StringIO())
    assert again["built"] is False and again["counts"] == before
    assert Store.objects.filter(code__startswith="grp-").count() == 2
