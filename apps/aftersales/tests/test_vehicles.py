"""Vehicles come from deliveries: the sales signal, and a set-based backfill."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.aftersales import services
from apps.aftersales.models import MileageReading, Vehicle
from apps.sales.models import Order, OrderStatus

from .factories import deliver, make_customer, make_model, make_vin


@pytest.mark.django_db
def test_the_sales_delivery_creates_the_vehicle_once_its_transaction_commits(
    store, consultant, django_capture_on_commit_callbacks
):
    from apps.sales.services import order_deliver

    owner = make_customer(store, consultant)
    model = make_model()
    order = Order.objects.create(
        store=store,
        customer=owner,
        consultant=consultant,
        vehicle_model=model,
        order_date=date(2026, 1, 2),
        amount=Decimal("120000"),
        cost=Decimal("100000"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        order_deliver(order=order, delivered_on=date(2026, 1, 10), vin=make_vin(77), by=consultant)
    vehicle = Vehicle.objects.get()
    assert (vehicle.order, vehicle.customer, vehicle.vehicle_model, vehicle.store) == (
        order,
        owner,
        model,
        store,
    )
    assert (vehicle.vin, vehicle.delivered_on, vehicle.next_service_due) == (
        make_vin(77),
        date(2026, 1, 10),
        date(2026, 4, 10),
    )
    assert list(vehicle.readings.values_list("date", "mileage", "source")) == [
        (date(2026, 1, 10), 0, "delivery")
    ]


@pytest.mark.django_db
def test_the_signal_sent_twice_still_makes_one_vehicle(store, consultant):
    from apps.sales.signals import order_delivered

    vehicle = deliver(store=store, consultant=consultant, delivered_on=date(2026, 1, 10))
    order_delivered.send(sender=Order, order=vehicle.order)
    assert Vehicle.objects.count() == 1 and MileageReading.objects.count() == 1


@pytest.mark.django_db
def test_the_backfill_makes_the_missing_vehicles_in_bulk_and_only_once(
    store, consultant, other_store, other_consultant, django_assert_max_num_queries
):
    model = make_model()
    for i, (s, c) in enumerate([(store, consultant)] * 5 + [(other_store, other_consultant)] * 3):
        Order.objects.create(
            store=s,
            customer=make_customer(s, c),
            consultant=c,
            vehicle_model=model,
            order_date=date(2026, 1, 1),
            amount=Decimal("1"),
            cost=Decimal("1"),
            status=OrderStatus.DELIVERED,
            delivered_on=date(2026, 1, 5),
            vin=make_vin(1000 + i),
        )
    Order.objects.create(
        store=store,
        customer=make_customer(store, consultant),
        consultant=consultant,
        vehicle_model=model,
        order_date=date(2026, 1, 1),
        amount=Decimal("1"),
        cost=Decimal("1"),
    )
    # Orders to deliver, one insert of vehicles, the fresh ones, one insert of readings.
    with django_assert_max_num_queries(4):
        assert services.vehicles_backfill() == 8
    assert services.vehicles_backfill() == 0
    assert Vehicle.objects.count() == MileageReading.objects.count() == 8
    assert set(Vehicle.objects.values_list("next_service_due", flat=True)) == {date(2026, 4, 5)}


@pytest.mark.django_db
def test_plate_and_mileage_change_on_a_vehicle_but_not_its_vin(store, consultant, advisor):
    vehicle = deliver(store=store, consultant=consultant, delivered_on=date(2026, 1, 10))
    v = services.vehicle_update(vehicle=vehicle, plate=" 京a12345 ")
    assert v.plate == "京A12345"
    with pytest.raises(ValidationError) as e:
        services.vehicle_update(vehicle=vehicle, vin=make_vin(5))
    assert "vin" in e.value.error_dict
    v = services.vehicle_update(vehicle=vehicle, last_mileage=3000)
    assert v.last_mileage == 3000 and v.daily_km is not None
    with pytest.raises(ValidationError) as e:
        services.vehicle_update(vehicle=vehicle, last_mileage=10)
    assert "last_mileage" in e.value.error_dict


@pytest.mark.django_db
def test_the_vehicle_page_shows_what_the_daily_mileage_was_measured_over(
    client_as, store, consultant, advisor
):
    vehicle = deliver(store=store, consultant=consultant, delivered_on=date(2026, 1, 10))
    services.reading_record(vehicle=vehicle, day=date(2026, 4, 1), mileage=3240, source="call")
    services.reading_record(vehicle=vehicle, day=date(2026, 4, 3), mileage=4286, source="call")
    vehicle.refresh_from_db()
    assert vehicle.daily_km == Decimal("51.6")  # 4286 km over the 83 days since the delivery
    page = client_as(advisor).get(f"/aftersales/vehicles/{vehicle.pk}/").content.decode()
    assert "Measured: 4286 km over 83 days (2026-01-10 – 2026-04-03)." in page
    assert "at least 30 days older" in page
