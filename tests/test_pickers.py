"""Searchable pickers (issue 10 item 4): a form renders only the chosen person or car;
the JSON endpoints find them by typing, scoped like the records."""

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from apps.aftersales.models import ServiceVisit
from apps.aftersales.tests.factories import deliver
from apps.customers.tests.factories import make_customer
from apps.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db

MAX_OPTIONS = 50


def _options(html: str, name: str) -> int:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, name
    return select.group(0).count("<option")


def test_no_select_renders_every_customer(
    client_as: Any, store: Any, consultant: Any, finance: Any, manager: Any
) -> None:
    for i in range(60):
        make_customer(store, consultant, name=f"何杰{i}")
    chosen = make_customer(store, consultant, name="选中的")
    payments = client_as(finance).get(f"/sales/payments/?customer={chosen.pk}").content.decode()
    assert _options(payments, "customer") == 2  # the empty choice and the chosen customer
    assert "选中的" in payments and "data-picker-url" in payments and "tom-select" in payments
    order = client_as(manager).get("/sales/orders/new/").content.decode()
    assert _options(order, "customer") <= MAX_OPTIONS


def test_finance_finds_a_payer_by_typing_and_sees_his_open_balance(
    client_as: Any, store: Any, other_store: Any, consultant: Any, other_consultant: Any, finance: Any
) -> None:
    a = make_customer(store, consultant, name="何杰", mobile="13900001111")
    b = make_customer(store, consultant, name="何杰", mobile="13900002222")
    make_order(a, amount=Decimal("309800"))
    make_customer(other_store, other_consultant, name="何杰", mobile="13900003333")
    body = client_as(finance).get("/customers/pick/", {"q": "何杰", "balance": "1"}).json()
    rows = {r["value"]: r["detail"] for r in body["results"]}
    assert set(rows) == {a.pk, b.pk}
    assert "13900001111" in rows[a.pk] and "¥309,800.00" in rows[a.pk] and store.name in rows[a.pk]
    assert "¥0.00" in rows[b.pk]
    by_digits = client_as(finance).get("/customers/pick/", {"q": "2222"}).json()["results"]
    assert [r["value"] for r in by_digits] == [b.pk]


def test_a_consultant_picks_only_his_customers(
    client_as: Any, store: Any, consultant: Any, consultant2: Any
) -> None:
    mine = make_customer(store, consultant, name="何杰")
    make_customer(store, consultant2, name="何杰")
    results = client_as(consultant).get("/customers/pick/", {"q": "何"}).json()["results"]
    assert [r["value"] for r in results] == [mine.pk]
    assert "balance" not in results[0] and "¥" not in results[0]["detail"]


def test_the_service_advisor_records_a_visit_by_plate(
    client_as: Any, store: Any, consultant: Any, advisor: Any, other_store: Any, other_consultant: Any
) -> None:
    today = timezone.localdate()
    car = deliver(store=store, consultant=consultant, delivered_on=today - timedelta(days=90))
    car.plate = "京A12345"
    car.save()
    client = client_as(advisor)
    found = client.get("/aftersales/vehicles/pick/", {"q": "a123"}).json()["results"]
    assert [r["value"] for r in found] == [car.vin] and car.vin in found[0]["detail"]
    assert (
        client.get("/aftersales/vehicles/pick/", {"q": car.vin[-6:]}).json()["results"][0]["value"] == car.vin
    )
    r = client.post(
        "/aftersales/service-visits/new/",
        {"vin": "京a12345", "date": today.isoformat(), "mileage": 5000, "kind": "first_service", "amount": 0},
    )
    assert r.status_code == 302
    assert ServiceVisit.objects.get().vehicle == car
    elsewhere = deliver(store=other_store, consultant=other_consultant, delivered_on=today)
    assert client.get("/aftersales/vehicles/pick/", {"q": elsewhere.vin[-6:]}).json()["results"] == []


def test_the_route_plan_picks_a_customer_by_typing(client_as: Any, store: Any, consultant: Any) -> None:
    for i in range(60):
        make_customer(store, consultant, name=f"客户{i}")
    html = client_as(consultant).get("/activities/routes/").content.decode()
    assert _options(html, "customer") == 1 and "data-picker-url" in html
