"""Stock services: arrivals, the OEM list import, reservation by orders, 配车, transfers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.customers.tests.factories import make_customer, make_vehicle_model
from apps.sales import services as sales
from apps.sales.tests.factories import make_order
from apps.stock import services
from apps.stock.models import Car, CarStatus, Transfer, TransferStatus

from .factories import make_car, stock_vin

pytestmark = pytest.mark.django_db


def test_a_car_arrives_with_a_checked_vin_and_counts_its_days(store, manager):
    model = make_vehicle_model()
    car = make_car(store, manager, model, arrived_on=timezone.localdate() - timedelta(days=45))
    assert car.status == CarStatus.IN_STOCK and car.days_in_stock() == 45
    with pytest.raises(ValidationError) as bad:
        services.car_receive(
            store=store, vin="LSVAB2BM1P5000001", vehicle_model=model, colour="黑", cost=1, by=manager
        )
    assert "check digit" in bad.value.message_dict["vin"][0]
    with pytest.raises(ValidationError) as twice:
        services.car_receive(store=store, vin=car.vin, vehicle_model=model, colour="黑", cost=1, by=manager)
    assert "already" in twice.value.message_dict["vin"][0]


def test_only_a_manager_receives_cars(store, consultant):
    with pytest.raises(ValidationError):
        make_car(store, consultant)
    assert not Car.objects.exists()


def test_a_cost_correction_is_in_the_cars_history(store, manager):
    car = make_car(store, manager)
    services.car_update(car=car, by=manager, cost="148000.50", reason="发票更正")
    car.refresh_from_db()
    assert car.cost == Decimal("148000.50")
    last = car.history.latest()
    assert last.history_change_reason == "发票更正" and last.history_user == manager


def test_the_import_is_all_or_nothing_and_previews_on_a_dry_run(store, manager):
    model = make_vehicle_model(brand="大众", name="帕萨特")
    good = {
        "vin": stock_vin(),
        "model": "大众 帕萨特",
        "colour": "黑",
        "cost": "180000",
        "arrived_on": "2026-11-01",
    }
    bad = {"vin": "LSVAB2BM1P5000001", "model": "不存在", "colour": "", "cost": "-1"}
    preview, errors = services.arrivals_import(store=store, rows=[good, bad], by=manager)
    assert len(preview) == 1 and len(errors) == 1 and errors[0].startswith("Row 3:")
    assert "unknown model" in errors[0] and "check digit" in errors[0]
    assert not Car.objects.exists()  # all or nothing
    preview, errors = services.arrivals_import(store=store, rows=[good], by=manager, dry_run=True)
    assert errors == [] and preview[0]["vehicle_model"] == model and not Car.objects.exists()
    preview, errors = services.arrivals_import(store=store, rows=[good, {**good}], by=manager)
    assert "twice" in errors[0] and not Car.objects.exists()
    services.arrivals_import(store=store, rows=[good], by=manager)
    assert Car.objects.get().cost == Decimal("180000")


def test_an_order_reserves_a_car_takes_its_cost_and_delivers_its_vin(store, manager, consultant):
    car = make_car(store, manager, cost=Decimal("151234.00"))
    customer = make_customer(store, consultant)
    order = make_order(customer, vehicle_model=car.vehicle_model, car=car, cost=None)
    car.refresh_from_db()
    assert car.status == CarStatus.RESERVED and order.cost == Decimal("151234.00")
    assert not order.cost_is_estimate
    sales.order_deliver(order=order, delivered_on=timezone.localdate(), by=consultant)
    order.refresh_from_db()
    car.refresh_from_db()
    assert order.vin == car.vin and car.status == CarStatus.SOLD and car.sold_on == timezone.localdate()


def test_a_typed_vin_must_be_the_reserved_cars(store, manager, consultant):
    car = make_car(store, manager)
    order = make_order(make_customer(store, consultant), vehicle_model=car.vehicle_model, car=car)
    with pytest.raises(ValidationError) as other:
        sales.order_deliver(order=order, delivered_on=timezone.localdate(), vin=stock_vin(), by=consultant)
    assert car.vin in other.value.message_dict["vin"][0]


def test_a_car_is_reserved_by_one_order_only(store, manager, consultant):
    car = make_car(store, manager)
    customer = make_customer(store, consultant)
    make_order(customer, vehicle_model=car.vehicle_model, car=car)
    with pytest.raises(ValidationError) as taken:
        make_order(customer, vehicle_model=car.vehicle_model, car=car)
    assert "reserved" in taken.value.message_dict["car"][0]


def test_an_order_cannot_reserve_another_stores_car_or_another_model(
    store, other_store, manager, other_manager, consultant
):
    theirs = make_car(other_store, other_manager)
    mine = make_car(store, manager)
    customer = make_customer(store, consultant)
    with pytest.raises(ValidationError):
        make_order(customer, vehicle_model=theirs.vehicle_model, car=theirs)
    with pytest.raises(ValidationError):
        make_order(customer, vehicle_model=make_vehicle_model(), car=mine)


def test_cancelling_the_order_frees_the_car(store, manager, consultant):
    car = make_car(store, manager)
    order = make_order(make_customer(store, consultant), vehicle_model=car.vehicle_model, car=car)
    sales.order_cancel(order=order, reason="客户放弃", by=consultant)
    car.refresh_from_db()
    assert car.status == CarStatus.IN_STOCK
    again = make_order(make_customer(store, consultant), vehicle_model=car.vehicle_model, car=car)
    assert again.car == car  # the cancelled order keeps its car only for the record


def test_an_order_without_a_car_still_books_as_before(store, consultant):
    order = make_order(make_customer(store, consultant))
    assert order.car is None and not order.awaiting_car and order.cost == Decimal("90000.00")


def test_a_waiting_order_gets_the_next_arrival_oldest_order_first(store, manager, consultant):
    model = make_vehicle_model()
    today = timezone.localdate()
    newer = make_order(
        make_customer(store, consultant),
        vehicle_model=model,
        awaiting_car=True,
        cost=None,
        order_date=today - timedelta(days=2),
    )
    older = make_order(
        make_customer(store, consultant),
        vehicle_model=model,
        awaiting_car=True,
        cost=None,
        order_date=today - timedelta(days=5),
    )
    assert older.awaiting_car and older.car is None and older.cost_is_estimate
    assert older.cost == model.cost
    car = make_car(store, manager, model, cost=Decimal("170000.00"))
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.car == car and not older.awaiting_car and older.cost == Decimal("170000.00")
    assert newer.car is None and newer.awaiting_car
    car.refresh_from_db()
    assert car.status == CarStatus.RESERVED
    # The older order is cancelled: its car goes to the next waiting order.
    sales.order_cancel(order=older, reason="贷款未批", by=consultant)
    newer.refresh_from_db()
    assert newer.car == car


def test_a_waiting_order_takes_the_oldest_free_car_at_once(store, manager, consultant):
    model = make_vehicle_model()
    today = timezone.localdate()
    young = make_car(store, manager, model, arrived_on=today - timedelta(days=3))
    old = make_car(store, manager, model, arrived_on=today - timedelta(days=60))
    order = make_order(make_customer(store, consultant), vehicle_model=model, awaiting_car=True)
    assert order.car == old and not order.awaiting_car
    young.refresh_from_db()
    assert young.status == CarStatus.IN_STOCK


def test_a_transfer_is_requested_approved_shipped_and_arrives(store, other_store, manager, other_manager):
    model = make_vehicle_model()
    theirs = make_car(other_store, other_manager, model, colour="星空蓝")
    with pytest.raises(ValidationError):
        services.transfer_request(
            to_store=store, from_store=other_store, vehicle_model=model, colour="红", by=manager
        )
    transfer = services.transfer_request(
        to_store=store, from_store=other_store, vehicle_model=model, colour="星空蓝", by=manager
    )
    with pytest.raises(ValidationError):  # the requesting store cannot approve its own request
        services.transfer_approve(transfer=transfer, by=manager)
    transfer = services.transfer_approve(transfer=transfer, by=other_manager)
    theirs.refresh_from_db()
    assert transfer.status == TransferStatus.IN_TRANSIT and transfer.car == theirs
    assert theirs.status == CarStatus.IN_TRANSIT and theirs.store == other_store
    with pytest.raises(ValidationError):
        services.transfer_arrive(transfer=transfer, by=other_manager)
    transfer = services.transfer_arrive(transfer=transfer, by=manager)
    theirs.refresh_from_db()
    assert (
        transfer.status == TransferStatus.ARRIVED
        and theirs.store == store
        and theirs.status == CarStatus.IN_STOCK
    )
    steps = [h.history_change_reason for h in Transfer.objects.get().history.order_by("history_date")]
    assert steps == ["Requested", "Approved, in transit", "Arrived"]


def test_a_reserved_car_cannot_be_shipped(store, other_store, manager, other_manager, other_consultant):
    model = make_vehicle_model()
    car = make_car(other_store, other_manager, model)
    transfer = services.transfer_request(
        to_store=store, from_store=other_store, vehicle_model=model, colour=car.colour, by=manager
    )
    make_order(make_customer(other_store, other_consultant), vehicle_model=model, car=car)
    with pytest.raises(ValidationError):
        services.transfer_approve(transfer=transfer, by=other_manager)
    services.transfer_reject(transfer=transfer, by=other_manager, reason="已售")
    assert Transfer.objects.get().status == TransferStatus.REJECTED
