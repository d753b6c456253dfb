"""Scorecards run a fixed number of queries whatever the consultants and periods."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.org.roles import Role
from apps.org.tests.factories import UserFactory
from apps.scoring import selectors
from apps.scoring.periods import parse

from . import factories as f

pytestmark = pytest.mark.django_db
YEAR = [parse(f"2026-{m:02d}") for m in range(1, 13)]


def staff(store, n):
    people = [UserFactory(role=Role.CONSULTANT, stores=[store]) for _ in range(n)]
    for i, person in enumerate(people):
        day = date(2026, 1 + i % 12, 1 + i % 28)
        o = f.order(person, day, 100000 + i, 90000)
        f.payment(o, day + timedelta(days=1), 5000)
        f.visit(person, f.at(day, 9), 30, expense=20, late=i % 2 == 0)
        f.report(person, day, on_time=i % 3 == 0)
        f.target(person, "revenue", parse(f"{day:%Y-%m}").start, parse(f"{day:%Y-%m}").end, 150000)
    return people


def count(store):
    with CaptureQueriesContext(connection) as ctx:
        cards = selectors.scorecards(stores=[store], periods=YEAR)
    return len(ctx), cards


def test_fifty_consultants_by_twelve_months_take_the_same_queries_as_two(store):
    staff(store, 2)
    few, _cards = count(store)
    staff(store, 48)
    many, cards = count(store)
    assert len(cards) == 50 * 12
    # consultants, templates, orders, allocations, visits, visit days without a report,
    # daily reports, new customers, lost customers, appointments, training, customers by
    # month (the rollup), targets, ratings, closed periods = 15.
    assert few == many == 15


def test_the_ranking_page_and_the_api_run_a_fixed_number_of_queries(client_as, api_as, manager, store):
    staff(store, 2)
    client = client_as(manager)
    with CaptureQueriesContext(connection) as page_few:
        client.get("/scoring/ranking/?period=2026-Q1")
    with CaptureQueriesContext(connection) as api_few:
        api_as(manager).get("/api/v1/scorecards/?period=2026")
    staff(store, 20)
    with CaptureQueriesContext(connection) as page_many:
        assert client.get("/scoring/ranking/?period=2026-Q1").status_code == 200
    with CaptureQueriesContext(connection) as api_many:
        assert api_as(manager).get("/api/v1/scorecards/?period=2026").json()["count"] == 22
    # The scorecard queries plus session, user, stores and the closed-period lookup.
    assert len(page_many) == len(page_few)
    assert len(api_many) == len(api_few)


def test_a_consultants_card_with_its_twelve_month_trend_is_a_fixed_number_of_queries(client_as, store):
    people = staff(store, 3)
    client = client_as(people[0])
    with CaptureQueriesContext(connection) as few:
        client.get(f"/scoring/consultant/{people[0].pk}/?period=2026-12")
    staff(store, 10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/scoring/consultant/{people[0].pk}/?period=2026-12").status_code == 200
    assert len(many) == len(few)
