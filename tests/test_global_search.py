"""Global search (issue 10 items 3 and 7): customers by name or mobile (even its last
four digits), vehicles by VIN (its last six) or plate, orders by number or VIN — only
what the user may open, at most one query per kind."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.aftersales.tests.factories import deliver
from apps.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(store: Any, other_store: Any, consultant: Any, consultant2: Any, other_consultant: Any) -> Any:
    today = timezone.localdate()
    he = make_customer(store, consultant, name="何杰", mobile="13912345678")
    car = deliver(store=store, consultant=consultant, delivered_on=today - timedelta(days=30), customer=he)
    car.plate = "京A9Z123"
    car.save()
    mine_too = make_customer(store, consultant, name="何杰", mobile="13800005678")
    theirs = make_customer(store, consultant2, name="何杰", mobile="13700005678")
    elsewhere = make_customer(other_store, other_consultant, name="何杰", mobile="13600005678")
    return {"he": he, "car": car, "mine_too": mine_too, "theirs": theirs, "elsewhere": elsewhere}


def _ids(api: Any, q: str, kind: str) -> set[int]:
    r = api.get("/api/v1/search/", {"q": q})
    assert r.status_code == 200, r.content
    return {h["id"] for h in r.json()["results"] if h["kind"] == kind}


def test_a_consultant_finds_his_customers_by_the_last_four_digits(
    api_as: Any, world: Any, consultant: Any
) -> None:
    api = api_as(consultant)
    assert _ids(api, "5678", "customer") == {world["he"].pk, world["mine_too"].pk}
    assert _ids(api, "何杰", "customer") == {world["he"].pk, world["mine_too"].pk}
    assert _ids(api, "1391234", "customer") == {world["he"].pk}


def test_a_manager_finds_his_store_but_not_the_other(
    api_as: Any, world: Any, manager: Any, other_manager: Any
) -> None:
    assert _ids(api_as(manager), "5678", "customer") == {
        world["he"].pk,
        world["mine_too"].pk,
        world["theirs"].pk,
    }
    assert _ids(api_as(other_manager), "5678", "customer") == {world["elsewhere"].pk}


def test_vehicles_by_last_six_of_the_vin_or_the_plate_and_orders_by_number(
    api_as: Any, world: Any, consultant: Any, consultant2: Any, manager: Any
) -> None:
    car = world["car"]
    api = api_as(manager)
    assert _ids(api, car.vin[-6:], "vehicle") == {car.pk}
    assert _ids(api, car.vin[-6:].lower(), "vehicle") == {car.pk}
    assert _ids(api, "a9z1", "vehicle") == {car.pk}
    assert _ids(api, car.vin[-6:], "order") == {car.order_id}
    assert _ids(api, f"#{car.order_id}", "order") == {car.order_id}
    hit = next(h for h in api.get("/api/v1/search/", {"q": "A9Z123"}).json()["results"])
    assert hit["kind"] == "vehicle" and hit["url"].endswith(f"/aftersales/vehicles/{car.pk}/")
    assert car.vin in hit["subtitle"] and "何杰" in hit["subtitle"]
    # Another consultant's customer's car and order stay hidden.
    assert _ids(api_as(consultant2), car.vin[-6:], "vehicle") == set()
    assert _ids(api_as(consultant2), car.vin[-6:], "order") == set()


def test_kinds_follow_the_roles(api_as: Any, world: Any, finance: Any, cs_agent: Any) -> None:
    car = world["car"]
    # Finance opens orders, not the workshop's vehicles; customer service the reverse.
    assert _ids(api_as(finance), car.vin[-6:], "vehicle") == set()
    assert _ids(api_as(finance), car.vin[-6:], "order") == {car.order_id}
    assert _ids(api_as(cs_agent), car.vin[-6:], "order") == set()
    assert _ids(api_as(cs_agent), car.vin[-6:], "vehicle") == {car.pk}


def test_at_most_four_queries_whatever_the_number_of_records(
    api_as: Any, world: Any, store: Any, manager: Any, consultant: Any
) -> None:
    api = api_as(manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/search/", {"q": "5678"}).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(30):
        make_customer(store, consultant, name=f"何{i}", mobile=f"135{i:04d}5678")
    # The user's store ids (read once per request, then passed as a list), and one
    # query per kind: customers, vehicles, orders (the user is already loaded).
    assert count() == few <= 4


def test_short_or_odd_queries_are_not_errors(api_as: Any, world: Any, manager: Any) -> None:
    api = api_as(manager)
    for q in ("", "何", "%", "_", "'; drop table x; --", "#", "x" * 500):
        r = api.get("/api/v1/search/", {"q": q})
        assert r.status_code == 200 and isinstance(r.json()["results"], list), q
    assert api_as(None).get("/api/v1/search/", {"q": "5678"}).status_code in (401, 403)


def test_the_search_page_groups_hits_by_kind(client_as: Any, world: Any, manager: Any) -> None:
    client = client_as(manager)
    page = client.get("/search/", {"q": world["car"].vin[-6:]})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-kind="vehicle"' in html and 'data-kind="order"' in html
    fragment = client.get("/search/", {"q": "5678"}, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert "<html" not in body and body.count('data-testid="search-hit"') == 3
    assert "13912345678" in body
    home = client.get("/").content.decode()
    assert 'data-testid="global-search"' in home
