"""stock/, stock/{id}/reserve/, stock/counts/ and stock-transfers/ over the same services."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.customers.tests.factories import make_customer, make_vehicle_model
from apps.sales.tests.factories import make_order
from apps.stock.models import Car, CarStatus, Transfer

from .factories import make_car, stock_vin

pytestmark = pytest.mark.django_db


def test_a_manager_receives_a_car_and_lists_it_with_its_days(api_as, store, manager):
    model = make_vehicle_model()
    api = api_as(manager)
    arrived = timezone.localdate().replace(day=1)
    body = {
        "vin": stock_vin(),
        "vehicle_model": model.pk,
        "colour": "黑",
        "cost": "150000.00",
        "arrived_on": str(arrived),
    }
    created = api.post("/api/v1/stock/", body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["store"] == store.pk and data["status"] == "in_stock" and data["cost"] == "150000.00"
    assert data["days_in_stock"] == (timezone.localdate() - arrived).days and data["order"] is None
    bad = api.post("/api/v1/stock/", {**body, "vin": "LSVAB2BM1P5000001"}, format="json")
    assert bad.status_code == 400 and "vin" in bad.json()


def test_a_consultant_reads_stock_but_cannot_write_it(api_as, store, manager, consultant):
    car = make_car(store, manager)
    api = api_as(consultant)
    assert api.get("/api/v1/stock/").json()["count"] == 1
    assert api.patch(f"/api/v1/stock/{car.pk}/", {"cost": "1.00"}, format="json").status_code == 403


def test_another_stores_car_is_404_for_every_verb(api_as, store, manager, other_manager):
    car = make_car(store, manager)
    api = api_as(other_manager)
    assert api.get(f"/api/v1/stock/{car.pk}/").status_code == 404
    assert api.patch(f"/api/v1/stock/{car.pk}/", {"colour": "红"}, format="json").status_code == 404
    assert api.post(f"/api/v1/stock/{car.pk}/reserve/", {"order": 1}, format="json").status_code == 404


def test_reserving_a_taken_car_is_409(api_as, store, manager, consultant, consultant2):
    car = make_car(store, manager)
    mine = make_order(make_customer(store, consultant), vehicle_model=car.vehicle_model)
    theirs = make_order(make_customer(store, consultant2), vehicle_model=car.vehicle_model)
    api = api_as(consultant)
    ok = api.post(f"/api/v1/stock/{car.pk}/reserve/", {"order": mine.pk}, format="json")
    assert ok.status_code == 200 and ok.json()["order"] == mine.pk and ok.json()["status"] == "reserved"
    taken = api_as(consultant2).post(f"/api/v1/stock/{car.pk}/reserve/", {"order": theirs.pk}, format="json")
    assert taken.status_code == 409
    # Another consultant's order is out of his scope: 400 "does not exist", never reserved.
    other = api_as(consultant2).post(f"/api/v1/stock/{car.pk}/reserve/", {"order": mine.pk}, format="json")
    assert other.status_code == 400


def test_an_order_with_only_its_documented_fields_still_books_with_no_car(api_as, store, consultant):
    customer = make_customer(store, consultant)
    body = {
        "customer": customer.pk,
        "vehicle_model": make_vehicle_model().pk,
        "order_date": str(timezone.localdate()),
        "amount": "100000.00",
        "cost": "90000.00",
        "settlement": "full",
    }
    response = api_as(consultant).post("/api/v1/orders/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["car"] is None and response.json()["cost"] == "90000.00"


def test_an_order_names_its_car_takes_the_cost_and_delivers_without_typing_the_vin(
    api_as, store, manager, consultant
):
    car = make_car(store, manager, cost=Decimal("149000.00"))
    api = api_as(consultant)
    body = {
        "customer": make_customer(store, consultant).pk,
        "vehicle_model": car.vehicle_model_id,
        "order_date": str(timezone.localdate()),
        "amount": "160000.00",
        "car": car.pk,
    }
    created = api.post("/api/v1/orders/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["cost"] == "149000.00" and created.json()["gross_profit"] == "11000.00"
    delivered = api.post(
        f"/api/v1/orders/{created.json()['id']}/deliver/",
        {"delivered_on": str(timezone.localdate())},
        format="json",
    )
    assert delivered.status_code == 200, delivered.json()
    assert delivered.json()["vin"] == car.vin
    assert Car.objects.get().status == CarStatus.SOLD


def test_the_list_runs_a_fixed_number_of_queries(api_as, store, manager):
    api = api_as(manager)
    make_car(store, manager)
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/stock/")
    for _ in range(5):
        make_car(store, manager)
    with CaptureQueriesContext(connection) as many:
        assert api.get("/api/v1/stock/").json()["count"] == 6
    assert len(many) == len(few)


def test_counts_show_the_group_without_costs(api_as, store, other_store, manager, other_manager):
    model = make_vehicle_model()
    make_car(other_store, other_manager, model, colour="星空蓝")
    make_car(other_store, other_manager, model, colour="星空蓝")
    rows = api_as(manager).get("/api/v1/stock/counts/").json()
    assert rows == [
        {
            "store": other_store.pk,
            "store_name": other_store.name,
            "vehicle_model": model.pk,
            "colour": "星空蓝",
            "count": 2,
        }
    ]
    assert api_as(manager).get("/api/v1/stock/").json()["count"] == 0  # their cars themselves stay hidden


def test_a_transfer_through_the_api(api_as, store, other_store, manager, other_manager, consultant):
    model = make_vehicle_model()
    car = make_car(other_store, other_manager, model, colour="黑")
    mine = api_as(manager)
    created = mine.post(
        "/api/v1/stock-transfers/",
        {"from_store": other_store.pk, "vehicle_model": model.pk, "colour": "黑"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    tid = created.json()["id"]
    assert mine.post(f"/api/v1/stock-transfers/{tid}/approve/").status_code == 400  # not his to approve
    theirs = api_as(other_manager)
    approved = theirs.post(f"/api/v1/stock-transfers/{tid}/approve/")
    assert (
        approved.status_code == 200
        and approved.json()["status"] == "in_transit"
        and approved.json()["vin"] == car.vin
    )
    arrived = mine.post(f"/api/v1/stock-transfers/{tid}/arrive/")
    assert arrived.status_code == 200 and arrived.json()["status"] == "arrived"
    assert Car.objects.get().store == store and Transfer.objects.get().arrived_by == manager
    assert api_as(consultant).get("/api/v1/stock-transfers/").status_code == 403
