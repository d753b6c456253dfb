"""The API (API.md: visits/, daily-reports/, market-reports/): fields, rules, scoping."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.activities.models import DailyReport, MarketReport, Visit

from . import factories as f

pytestmark = pytest.mark.django_db


def visit_data(customer, **extra):
    start = timezone.now() - timedelta(hours=1)
    data = {
        "customer": customer.pk,
        "channel": "outside",
        "started_at": start.isoformat(),
        "ended_at": (start + timedelta(minutes=45)).isoformat(),
        "purpose": "送报价单",
        "expense": "35.5",
    }
    data.update(extra)
    return data


def test_a_consultant_logs_a_visit_and_gets_the_read_only_fields(api_as, consultant, store):
    c = f.customer(store, consultant)
    response = api_as(consultant).post("/api/v1/visits/", visit_data(c), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["consultant"] == consultant.pk and body["minutes"] == 45 and body["late"] is False
    assert body["expense"] == "35.50" and body["entered_at"].endswith("+08:00")
    for field in (
        "id",
        "customer",
        "channel",
        "started_at",
        "ended_at",
        "purpose",
        "result",
        "next_step",
        "next_follow_up",
        "opportunity",
    ):
        assert field in body


def test_read_only_fields_cannot_be_written(api_as, consultant, store):
    c = f.customer(store, consultant)
    data = visit_data(c, late=True, minutes=999, entered_at="2020-01-01T00:00:00+08:00")
    body = api_as(consultant).post("/api/v1/visits/", data, format="json").json()
    assert body["late"] is False and body["minutes"] == 45 and not body["entered_at"].startswith("2020")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"ended_at": (timezone.now() - timedelta(hours=3)).isoformat()}, "ended_at"),
        (
            {
                "started_at": (timezone.now() + timedelta(days=1)).isoformat(),
                "ended_at": (timezone.now() + timedelta(days=1, hours=1)).isoformat(),
            },
            "started_at",
        ),
        ({"expense": "-0.01"}, "expense"),
        ({"channel": "telepathy"}, "channel"),
    ],
    ids=["start after end", "in the future", "negative expense", "unknown channel"],
)
def test_bad_visits_get_a_400_naming_the_field(api_as, consultant, store, extra, field):
    c = f.customer(store, consultant)
    response = api_as(consultant).post("/api/v1/visits/", visit_data(c, **extra), format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Visit.objects.exists()


def test_a_consultant_cannot_log_a_visit_for_someone_else(api_as, consultant, consultant2, store):
    c = f.customer(store, consultant)
    response = api_as(consultant).post(
        "/api/v1/visits/", visit_data(c, consultant=consultant2.pk), format="json"
    )
    assert response.status_code == 400 and "consultant" in response.json()


def test_a_customer_out_of_scope_is_refused_without_revealing_it(
    api_as, consultant, other_consultant, other_store
):
    theirs = f.customer(other_store, other_consultant)
    response = api_as(consultant).post("/api/v1/visits/", visit_data(theirs), format="json")
    assert response.status_code == 400 and "customer" in response.json()


def test_a_visit_is_edited_within_the_window_and_locked_after(api_as, consultant, store):
    c = f.customer(store, consultant)
    fresh = f.visit(consultant, c)
    api = api_as(consultant)
    ok = api.patch(f"/api/v1/visits/{fresh.pk}/", {"result": "订了"}, format="json")
    assert ok.status_code == 200 and ok.json()["result"] == "订了"
    assert fresh.history.count() == 2
    old = f.visit(consultant, c, start=timezone.now() - timedelta(days=9))
    locked = api.patch(f"/api/v1/visits/{old.pk}/", {"result": "改"}, format="json")
    assert locked.status_code == 400 and "locked" in locked.json()["detail"]
    assert api.delete(f"/api/v1/visits/{old.pk}/").status_code == 400
    assert api.delete(f"/api/v1/visits/{fresh.pk}/").status_code == 204


def test_a_manager_reads_his_stores_visits_but_does_not_write_them(api_as, manager, consultant, store):
    v = f.visit(consultant, f.customer(store, consultant))
    api = api_as(manager)
    assert api.get("/api/v1/visits/").json()["count"] == 1
    assert api.get(f"/api/v1/visits/{v.pk}/").status_code == 200
    assert api.patch(f"/api/v1/visits/{v.pk}/", {"result": "x"}, format="json").status_code == 403


VERBS = ["get", "put", "patch", "delete"]


@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("resource", ["visits", "daily-reports", "market-reports"])
def test_another_consultant_and_another_store_get_404_for_every_verb(
    api_as, consultant, consultant2, other_manager, other_consultant, store, resource, verb
):
    c = f.customer(store, consultant)
    obj = {
        "visits": lambda: f.visit(consultant, c),
        "daily-reports": lambda: f.report(consultant, timezone.localdate()),
        "market-reports": lambda: f.market(consultant),
    }[resource]()
    for intruder in (consultant2, other_consultant, other_manager):
        response = getattr(api_as(intruder), verb)(f"/api/v1/{resource}/{obj.pk}/", {}, format="json")
        expected = 405 if (resource == "daily-reports" and verb == "delete") else 404
        assert response.status_code == expected, (intruder, resource, verb, response.status_code)
    if resource == "daily-reports":
        for action in ("comment", "submit"):
            assert api_as(other_manager).post(f"/api/v1/daily-reports/{obj.pk}/{action}/").status_code == 404


@pytest.mark.parametrize("resource", ["visits", "daily-reports", "market-reports"])
def test_lists_hold_only_records_in_scope(
    api_as, consultant, consultant2, other_manager, manager, store, resource
):
    c = f.customer(store, consultant)
    {
        "visits": lambda: f.visit(consultant, c),
        "daily-reports": lambda: f.report(consultant, timezone.localdate()),
        "market-reports": lambda: f.market(consultant),
    }[resource]()
    assert api_as(consultant).get(f"/api/v1/{resource}/").json()["count"] == 1
    assert api_as(manager).get(f"/api/v1/{resource}/").json()["count"] == 1
    assert api_as(consultant2).get(f"/api/v1/{resource}/").json()["count"] == 0
    assert api_as(other_manager).get(f"/api/v1/{resource}/").json()["count"] == 0
    assert api_as(None).get(f"/api/v1/{resource}/").status_code == 401


def test_the_daily_report_api_carries_the_days_figures(api_as, consultant, manager, store):
    c = f.customer(store, consultant)
    today = timezone.localdate()
    f.visit(consultant, c, start=f.aware(today, 0, 10))
    f.sale(c, consultant, today)
    f.pay(c, today, 30000, manager)
    f.pay(c, today, 1234, manager)
    api = api_as(consultant)
    response = api.post(
        "/api/v1/daily-reports/",
        {"date": today.isoformat(), "problems": "库存不足", "submitted_at": timezone.now().isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["visits_count"], body["orders_count"], body["payments_total"]) == (1, 1, "31234.00")
    assert body["submitted_at"] and "on_time" in body and body["manager_comment"] == ""


def test_a_report_for_a_day_to_come_is_refused(api_as, consultant):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = api_as(consultant).post(
        "/api/v1/daily-reports/", {"date": tomorrow.isoformat()}, format="json"
    )
    assert response.status_code == 400 and "date" in response.json()


def test_the_manager_comments_through_the_api_and_the_consultant_reads_it(
    api_as, consultant, manager, consultant2
):
    report = f.report(consultant, timezone.localdate(), submitted_at=timezone.now(), on_time=True)
    url = f"/api/v1/daily-reports/{report.pk}/"
    assert api_as(consultant).post(url + "comment/", {"manager_comment": "x"}).status_code == 403
    response = api_as(manager).post(url + "comment/", {"manager_comment": "很好"}, format="json")
    assert response.status_code == 200 and response.json()["manager_comment"] == "很好"
    assert api_as(manager).get(url).json()["comment_unread"] is True
    assert api_as(consultant).get(url).json()["manager_comment"] == "很好"
    assert api_as(consultant).get(url).json()["comment_unread"] is False
    assert api_as(manager).post(url + "comment/", {"manager_comment": " "}, format="json").status_code == 400


def test_market_reports_take_tags_as_a_list_and_filter_by_them(api_as, consultant, manager):
    api = api_as(consultant)
    data = {
        "date": timezone.localdate().isoformat(),
        "competitor_brand": "大众",
        "competitor_model": "途观L",
        "retail_price": "216800",
        "transaction_price": "189000",
        "discount": "27800",
        "quality_feedback": "车机卡顿",
        "trend": "降价促销",
        "customer_needs": "要七座",
        "tags": ["降价", "SUV"],
    }
    response = api.post("/api/v1/market-reports/", data, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["tags"] == ["降价", "suv"] and response.json()["retail_price"] == "216800.00"
    assert api_as(manager).get("/api/v1/market-reports/?tag=suv").json()["count"] == 1
    assert api_as(manager).get("/api/v1/market-reports/?tag=轿车").json()["count"] == 0
    bad = api.post("/api/v1/market-reports/", {**data, "transaction_price": "-1"}, format="json")
    assert bad.status_code == 400 and "transaction_price" in bad.json()
    assert MarketReport.objects.count() == 1


@pytest.mark.parametrize("resource", ["visits", "daily-reports", "market-reports"])
def test_api_lists_run_a_fixed_number_of_queries(api_as, manager, consultant, store, resource):
    api = api_as(manager)
    c = f.customer(store, consultant)
    today = timezone.localdate()

    def make(i):
        f.visit(consultant, c, start=timezone.now() - timedelta(hours=i + 1))
        f.report(consultant, today - timedelta(days=i))
        f.market(consultant)

    make(0)
    with CaptureQueriesContext(connection) as few:
        api.get(f"/api/v1/{resource}/")
    for i in range(1, 25):
        make(i)
    with CaptureQueriesContext(connection) as many:
        assert api.get(f"/api/v1/{resource}/").status_code == 200
    # count + one page of rows (daily reports carry their figures as subqueries): fixed.
    assert len(many) == len(few)
    assert DailyReport.objects.count() == 25


def test_posting_a_visit_with_a_token_is_a_fixed_handful_of_queries(consultant, store):
    """The lean path of POST visits (issue 13), through token authentication as a phone
    sends it. A customer of grade B is followed up at the store's interval for B, so the
    store's customer rules are read too."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from apps.customers.services import settings_for

    c = f.customer(store, consultant, grade="B")
    settings_for(store)  # the store's customer rules exist (made on first use)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=consultant).key}")
    data = visit_data(c, consultant=consultant.pk)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/visits/", data, format="json")
    assert response.status_code == 201, response.json()
    # 1 the token with its user, 2 the user's store ids, 3 the customer (scoped; the
    # consultant named is the caller: no query), then the service in a savepoint (4, 11):
    # 5 the store's activity rules, 6 the visit, 7 its history row, 8 the appointment of
    # the day it attends (an in-person visit; appointments' receiver), 9 the store's
    # customer rules (B's interval), 10 the customer's last contact and next follow-up.
    # No re-read of the consultant, the store's membership or the visit for the answer.
    assert len(ctx) == 11, "\n".join(q["sql"][:120] for q in ctx.captured_queries)
    c.refresh_from_db()
    contact_day = timezone.localdate(datetime.fromisoformat(data["ended_at"]))  # the contact's day
    assert c.next_follow_up == contact_day + timedelta(days=settings_for(store).interval_b)
    assert Visit.objects.get(pk=response.json()["id"]).history.count() == 1
