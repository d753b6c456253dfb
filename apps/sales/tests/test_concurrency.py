"""Two finance users record payments for the same customer at the same moment, on two
real PostgreSQL connections (threads): the customer's lock serialises them, so the
second sees the first's allocation and is refused instead of over-allocating."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from apps.customers.tests.factories import make_customer
from apps.sales import services
from apps.sales.models import Payment, Receivable
from conftest import skip_or_fail

from .factories import make_order

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _race(fn, n=2):
    barrier = threading.Barrier(n)
    results: list[object] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results.append(fn(i))
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test checks
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_concurrent_payments_cannot_over_allocate(store, consultant, finance, manager):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL for real concurrent connections")
    customer = make_customer(store, consultant)
    make_order(customer, amount=Decimal("1000"))
    users = [finance, manager]

    def record(i: int) -> Payment:
        return services.payment_record(
            customer=customer,
            amount=Decimal("600"),
            received_on=timezone.localdate(),
            method="transfer",
            recorded_by=users[i],
        )

    results = _race(record)
    assert sorted(type(r).__name__ for r in results) == ["Payment", "ValidationError"]
    refused = next(r for r in results if isinstance(r, ValidationError))
    assert "400.00" in refused.message_dict["amount"][0]  # it saw the first payment
    receivable = Receivable.objects.get()
    assert receivable.paid == Decimal("600.00")
    assert Payment.objects.count() == 1


def test_two_concurrent_reversals_of_one_payment_make_one_counter_entry(store, consultant, finance, manager):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL for real concurrent connections")
    customer = make_customer(store, consultant)
    make_order(customer, amount=Decimal("1000"))
    payment = services.payment_record(
        customer=customer,
        amount=Decimal("300"),
        received_on=timezone.localdate(),
        method="cash",
        recorded_by=finance,
    )
    users = [finance, manager]
    results = _race(lambda i: services.payment_reverse(payment=payment, reason="重复", by=users[i]))
    assert sorted(type(r).__name__ for r in results) == ["Payment", "ValidationError"]
    assert Receivable.objects.get().paid == 0
    assert Payment.objects.filter(reverses=payment).count() == 1
