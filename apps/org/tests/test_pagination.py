"""API lists page by number (API.md) or, with ?cursor=, by keyset (apps/org/pagination.py)."""

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from apps.activities.models import DailyReport, Visit
from apps.activities.tests.factories import customer, report, visit
from apps.customers.models import Customer
from apps.org import pagination
from apps.org.pagination import Pagination


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def local(url: str | None) -> str | None:
    return url and url.replace("http://testserver", "")


def walk(client: APIClient, url: str) -> tuple[list[int], list[dict[str, Any]]]:
    """Follow `next` from `url` to the end: the ids in order and every page's body."""
    ids: list[int] = []
    pages: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        res = client.get(next_url)
        assert res.status_code == 200, res.content
        body = res.json()
        pages.append(body)
        ids += [row["id"] for row in body["results"]]
        next_url = local(body["next"])
        assert len(pages) < 100
    return ids, pages


def by_pages(client: APIClient, url: str) -> list[int]:
    """The same list read by ?page= (the contract's way)."""
    ids, _ = walk(client, url)
    return ids


@pytest.fixture
def visits(consultant, other_consultant, store, other_store) -> list[Visit]:
    """Eleven visits of the consultant, three of them starting at the same minute (the
    id breaks the tie), and two of another store's consultant."""
    mine = customer(store, consultant)
    theirs = customer(other_store, other_consultant)
    base = timezone.now() - timedelta(days=30)
    out = [visit(consultant, mine, start=base + timedelta(hours=h)) for h in (1, 2, 3, 5, 8, 13, 21, 34)]
    out += [visit(consultant, mine, start=base + timedelta(hours=4)) for _ in range(3)]
    for h in (1, 6):
        visit(other_consultant, theirs, start=base + timedelta(hours=h))
    return out


@pytest.mark.django_db
def test_a_cursor_walk_gives_every_row_once_in_the_order_the_pages_give(manager, visits):
    client = api(manager)
    ids, pages = walk(client, "/api/v1/visits/?cursor=&page_size=3")
    assert ids == by_pages(client, "/api/v1/visits/?page_size=3")
    assert sorted(ids) == sorted(v.pk for v in visits)  # scoped: the other store's two are absent
    assert [p["count"] for p in pages] == [11] * 4
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    assert "cursor=" in pages[0]["next"] and "page=" not in pages[0]["next"]


@pytest.mark.django_db
def test_previous_links_walk_back_through_the_same_pages(manager, visits):
    client = api(manager)
    _, pages = walk(client, "/api/v1/visits/?cursor=&page_size=3")
    back: list[list[int]] = []
    url = local(pages[-1]["previous"])
    while url:
        body = client.get(url).json()
        back.insert(0, [row["id"] for row in body["results"]])
        url = local(body["previous"])
    assert back == [[row["id"] for row in p["results"]] for p in pages[:-1]]
    # And forward again from a page reached backwards.
    again = client.get(local(pages[1]["previous"])).json()
    assert [r["id"] for r in client.get(local(again["next"])).json()["results"]] == [
        r["id"] for r in pages[1]["results"]
    ]


@pytest.mark.django_db
def test_a_row_added_during_a_walk_shifts_no_page(manager, consultant, visits):
    """With ?page=, a new visit on top pushes a row from page 1 onto page 2 (read twice);
    a cursor continues after the last row it showed."""
    client = api(manager)
    first = client.get("/api/v1/visits/?cursor=&page_size=4").json()
    visit(consultant, visits[0].customer, start=timezone.now() - timedelta(hours=1))
    second = client.get(local(first["next"])).json()
    shown = [r["id"] for r in first["results"]]
    assert not {r["id"] for r in second["results"]} & set(shown)
    everything = by_pages(client, "/api/v1/visits/?page_size=4")
    assert [r["id"] for r in second["results"]] == everything[5:9]


@pytest.mark.django_db
def test_a_deep_page_is_a_range_read_not_an_offset(manager, visits):
    client = api(manager)
    _, pages = walk(client, "/api/v1/visits/?cursor=&page_size=3")
    with CaptureQueriesContext(connection) as ctx:
        client.get(local(pages[2]["next"]))
    sql = [q["sql"] for q in ctx.captured_queries]
    page_sql = [q for q in sql if "activities_visit" in q and "LIMIT" in q]
    assert page_sql and "OFFSET" not in page_sql[-1]
    assert '"activities_visit"."started_at" <=' in page_sql[-1]


@pytest.mark.django_db
def test_nullable_and_ordering_choices_walk_like_the_pages(manager, store):
    """?ordering= on a column with NULLs, both ways: the cursor agrees with the pages
    (PostgreSQL puts NULL last ascending and first descending, and so does the cursor)."""
    today = date(2026, 11, 1)
    for i in range(9):
        due = None if i % 3 == 0 else today + timedelta(days=i % 4)
        customer(store, None, name=f"客户{i}", next_follow_up=due)
    client = api(manager)
    for ordering in ("next_follow_up", "-next_follow_up", "name", "-id"):
        ids, _ = walk(client, f"/api/v1/customers/?cursor=&page_size=2&ordering={ordering}")
        tie = "-id" if ordering.startswith("-") else "id"  # the cursor's tie-breaker
        assert ids == by_pages(client, f"/api/v1/customers/?page_size=2&ordering={ordering},{tie}"), ordering
        assert len(ids) == Customer.objects.count() == 9


@pytest.mark.django_db
def test_an_order_through_a_relation_pages_by_the_related_ordering(manager, consultant, consultant2):
    """Daily reports order by date, then `consultant`, i.e. by the user's username."""
    for d in range(5):
        report(consultant, date(2026, 11, 1) + timedelta(days=d))
        report(consultant2, date(2026, 11, 1) + timedelta(days=d))
    client = api(manager)
    ids, _ = walk(client, "/api/v1/daily-reports/?cursor=&page_size=3")
    expected = DailyReport.objects.order_by("-date", "consultant__username", "-pk")
    assert ids == list(expected.values_list("pk", flat=True))


@pytest.mark.django_db
def test_a_cursor_of_another_order_or_a_forged_one_is_a_400(manager, visits):
    client = api(manager)
    first = client.get("/api/v1/visits/?cursor=&page_size=3").json()
    cursor = parse_qs(urlsplit(first["next"]).query)["cursor"][0]
    other = client.get(f"/api/v1/visits/?cursor={cursor}&ordering=expense")
    assert other.status_code == 400 and "cursor" in other.json()
    forged = pagination._encode({"s": pagination._decode(cursor)["s"], "v": ["yesterday", 1]})
    for bad in ("not-a-cursor", "e30", forged, pagination._encode({"o": -5})):
        res = client.get(f"/api/v1/visits/?cursor={bad}")
        assert res.status_code == 400, bad
        assert list(res.json()) == ["cursor"]
    assert client.get("/api/v1/visits/?cursor=&count=roughly").status_code == 400


@pytest.mark.django_db
def test_count_is_exact_unless_an_estimate_is_asked(manager, visits, monkeypatch):
    client = api(manager)
    assert client.get("/api/v1/visits/?cursor=&count=estimate").json()["count"] == 11  # exact up to the cap
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 4)
    estimated = client.get("/api/v1/visits/?cursor=&count=estimate").json()["count"]
    assert isinstance(estimated, int) and estimated >= 5  # at least the rows counted before the cap
    assert client.get("/api/v1/visits/?cursor=").json()["count"] == 11
    assert client.get("/api/v1/visits/?page=2&page_size=3&count=estimate").json()["count"] == 11


@pytest.mark.django_db
def test_a_cursor_page_costs_the_queries_of_a_numbered_page(manager, visits, django_assert_num_queries):
    client = api(manager)
    _, pages = walk(client, "/api/v1/visits/?cursor=&page_size=3")
    # The count and the page (the user's store ids were read on the first request:
    # force_authenticate keeps one user object).
    with django_assert_num_queries(2):
        client.get("/api/v1/visits/?page=3&page_size=3")
    with django_assert_num_queries(2):
        client.get(local(pages[2]["next"]))


def test_a_list_built_in_python_pages_by_an_offset_in_the_cursor():
    rows = list(range(7))
    factory = APIRequestFactory()

    def page(query: str) -> tuple[list[int], dict[str, Any]]:
        paginator = Pagination()
        request = Request(factory.get(f"/x/?{query}"))
        got = paginator.paginate_queryset(rows, request)
        return got or [], paginator.get_paginated_response(got).data

    seen: list[int] = []
    got, body = page("cursor=&page_size=3")
    while True:
        seen += got
        assert body["count"] == 7
        if not body["next"]:
            break
        got, body = page(body["next"].split("?", 1)[1])
    assert seen == rows
    back, _ = page(body["previous"].split("?", 1)[1])
    assert back == [3, 4, 5]
