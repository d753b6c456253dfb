"""Two consultants book orders for the same car at the same moment, on two real
PostgreSQL connections (threads): the car's row lock serialises them, so one order
reserves the car and the other is refused; the partial unique index on orders would
refuse the second even without the lock."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.customers.tests.factories import make_customer
from apps.sales import services as sales
from apps.sales.models import Order
from apps.sales.tests.factories import make_order
from apps.sales.tests.test_concurrency import _race
from apps.stock.models import Car, CarStatus
from conftest import skip_or_fail

from .factories import make_car

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_orders_booked_for_one_car_at_once_one_wins(store, manager, consultant, consultant2):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL for real concurrent connections")
    car = make_car(store, manager)
    people = [consultant, consultant2]
    customers = [make_customer(store, c) for c in people]

    def book(i: int) -> Order:
        return make_order(customers[i], vehicle_model=car.vehicle_model, car=car, amount=Decimal("160000"))

    results = _race(book)
    assert sorted(type(r).__name__ for r in results) == ["Order", "ValidationError"]
    refused = next(r for r in results if isinstance(r, ValidationError))
    assert "car" in refused.message_dict
    assert Order.objects.filter(car=car).count() == 1
    assert Car.objects.get().status == CarStatus.RESERVED


def test_two_open_orders_reserving_one_car_at_once_one_wins(store, manager, consultant, consultant2):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL for real concurrent connections")
    car = make_car(store, manager)
    people = [consultant, consultant2]
    orders = [make_order(make_customer(store, c), vehicle_model=car.vehicle_model) for c in people]

    results = _race(lambda i: sales.order_reserve_car(order=orders[i], car=car, by=people[i]))
    assert sorted(type(r).__name__ for r in results) == ["Order", "ValidationError"]
    assert Order.objects.filter(car=car).count() == 1
