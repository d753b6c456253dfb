"""Two consultants register the same mobile at the same moment on two real PostgreSQL
connections: the unique constraint lets one win, the other gets the 撞单 message."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from apps.customers import services
from apps.customers.models import Customer
from conftest import skip_or_fail

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_registrations_of_one_mobile_make_one_customer(store, consultant, consultant2):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL for real concurrent connections")
    barrier = threading.Barrier(2)
    results: list[object] = []

    def register(user):
        try:
            barrier.wait()
            results.append(
                services.customer_create(store=store, owner=user, name="同一人", mobile="13700000001")
            )
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test checks
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(u,)) for u in (consultant, consultant2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(type(r).__name__ for r in results) == ["Customer", "ValidationError"]
    refused = next(r for r in results if isinstance(r, ValidationError))
    assert "owned by" in refused.message_dict["mobile"][0]
    assert Customer.objects.filter(mobile="13700000001").count() == 1
