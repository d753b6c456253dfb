"""The home page shows each role its own first things."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.customers.models import Customer

pytestmark = pytest.mark.django_db


def customer(store, owner, mobile, follow_up):
    return Customer.objects.create(
        store=store, owner=owner, name="客户", mobile=mobile, next_follow_up=follow_up
    )


def test_a_consultant_sees_his_overdue_and_due_follow_ups(client_as, consultant, consultant2, store):
    today = timezone.localdate()
    customer(store, consultant, "13800000001", today - timedelta(days=2))
    customer(store, consultant, "13800000002", today - timedelta(days=1))
    customer(store, consultant, "13800000003", today)
    customer(store, consultant2, "13800000004", today)  # a colleague's: not counted
    response = client_as(consultant).get("/")
    assert response.context["follow_ups"] == {"overdue": 2, "due": 1}
    html = response.content.decode()
    assert 'data-testid="today-card"' in html and "/plans/my-targets/" in html
    assert 'data-testid="queue-card"' not in html


def test_customer_service_sees_the_queue_and_no_sales_card(client_as, cs_agent):
    html = client_as(cs_agent).get("/").content.decode()
    assert 'data-testid="queue-card"' in html and 'data-testid="today-card"' not in html


def test_the_home_page_runs_a_fixed_number_of_queries(client_as, consultant, store):
    today = timezone.localdate()
    client = client_as(consultant)
    customer(store, consultant, "13900000000", today)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for i in range(1, 30):
        customer(store, consultant, f"139000000{i:02d}", today)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    # Counts are aggregates; the targets card loads separately (htmx): rows add no query.
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)
    assert len(many) <= 8, "\n".join(q["sql"][:150] for q in many.captured_queries)
