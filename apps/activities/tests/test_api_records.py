"""route-plans/, planned-visits/, monthly-summaries/, escalations/ and the nested new
prospect of visits/: the page's services, scoping and roles through the API."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.activities import services
from apps.activities.models import Escalation, MonthlySummary, PlannedVisit, RoutePlan
from apps.customers.models import Customer

from . import factories as f

pytestmark = pytest.mark.django_db


def _monday():
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def test_a_stop_posted_by_date_and_customer_makes_the_weeks_plan(api_as, consultant, store):
    c = f.customer(store, consultant)
    api = api_as(consultant)
    day = _monday() + timedelta(days=2)
    r = api.post(
        "/api/v1/planned-visits/", {"date": day, "customer": c.pk, "purpose": "送报价"}, format="json"
    )
    assert r.status_code == 201, r.json()
    plan = RoutePlan.objects.get(consultant=consultant)
    assert plan.week_start == _monday() and r.json()["plan"] == plan.pk and r.json()["done"] is False
    again = api.post("/api/v1/planned-visits/", {"date": day, "customer": c.pk}, format="json")
    assert again.status_code == 400 and "customer" in again.json()
    f.visit(consultant, c, start=f.aware(day))
    body = api.get(f"/api/v1/route-plans/{plan.pk}/").json()
    assert body["planned"] == 1 and body["done"] == 1 and body["stops"][0]["done"] is True


def test_a_stop_outside_the_plans_week_names_the_date(api_as, consultant, store):
    c = f.customer(store, consultant)
    plan = services.route_plan_get_or_create(consultant=consultant, week_start=_monday())
    data = {"plan": plan.pk, "date": _monday() + timedelta(days=9), "customer": c.pk}
    r = api_as(consultant).post("/api/v1/planned-visits/", data, format="json")
    assert r.status_code == 400 and "date" in r.json()


def test_route_plans_are_scoped_and_only_the_consultant_writes(
    api_as, consultant, consultant2, manager, other_manager, other_consultant, store
):
    c = f.customer(store, consultant)
    plan = services.route_plan_get_or_create(consultant=consultant, week_start=_monday())
    stop = services.planned_visit_add(plan=plan, by=consultant, date=_monday(), customer=c)
    assert api_as(manager).get(f"/api/v1/route-plans/{plan.pk}/").status_code == 200
    for outsider in (consultant2, other_manager, other_consultant):
        api = api_as(outsider)
        assert api.get(f"/api/v1/route-plans/{plan.pk}/").status_code == 404
        assert api.get(f"/api/v1/planned-visits/{stop.pk}/").status_code == 404
        assert api.delete(f"/api/v1/planned-visits/{stop.pk}/").status_code == 404
    assert api_as(manager).delete(f"/api/v1/planned-visits/{stop.pk}/").status_code == 403
    assert api_as(manager).post("/api/v1/route-plans/", {"week_start": _monday()}).status_code == 403
    assert api_as(consultant).delete(f"/api/v1/planned-visits/{stop.pk}/").status_code == 204
    assert not PlannedVisit.objects.exists()


def test_the_route_plan_list_runs_a_fixed_number_of_queries(api_as, manager, consultant, store):
    c = f.customer(store, consultant)
    api = api_as(manager)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/route-plans/").status_code == 200
        return len(ctx)

    plan = services.route_plan_get_or_create(consultant=consultant, week_start=_monday())
    services.planned_visit_add(plan=plan, by=consultant, date=_monday(), customer=c)
    one = count()
    for weeks in (1, 2, 3):
        p = services.route_plan_get_or_create(
            consultant=consultant, week_start=_monday() - timedelta(weeks=weeks)
        )
        services.planned_visit_add(plan=p, by=consultant, date=p.week_start, customer=c)
    # Plans with their counts, then all their stops in one prefetch: 4 plans cost what 1 does.
    assert count() == one


def test_a_monthly_summary_is_one_per_month_and_the_manager_comments(
    api_as, consultant, consultant2, manager, other_manager
):
    api = api_as(consultant)
    month = timezone.localdate().replace(day=1)
    data = {"month": month, "summary": "成交 5 台", "key_points": "冲刺 SUV"}
    first = api.post("/api/v1/monthly-summaries/", data, format="json")
    assert first.status_code == 201, first.json()
    second = api.post("/api/v1/monthly-summaries/", {**data, "summary": "成交 6 台"}, format="json")
    assert second.json()["id"] == first.json()["id"] and MonthlySummary.objects.get().summary == "成交 6 台"
    future = api.post(
        "/api/v1/monthly-summaries/", {**data, "month": month + timedelta(days=40)}, format="json"
    )
    assert future.status_code == 400 and "month" in future.json()
    blank = api.post("/api/v1/monthly-summaries/", {**data, "key_points": " "}, format="json")
    assert blank.status_code == 400
    pk = first.json()["id"]
    assert api.post(f"/api/v1/monthly-summaries/{pk}/comment/", {"manager_comment": "好"}).status_code == 403
    ok = api_as(manager).post(f"/api/v1/monthly-summaries/{pk}/comment/", {"manager_comment": "继续"})
    assert ok.status_code == 200 and ok.json()["manager_comment"] == "继续"
    for outsider in (consultant2, other_manager):
        assert api_as(outsider).get(f"/api/v1/monthly-summaries/{pk}/").status_code == 404
        assert api_as(outsider).patch(f"/api/v1/monthly-summaries/{pk}/", {"summary": "x"}).status_code == 404
        assert (
            api_as(outsider)
            .post(f"/api/v1/monthly-summaries/{pk}/comment/", {"manager_comment": "x"})
            .status_code
            == 404
        )


def test_an_escalation_is_answered_by_the_stores_manager_only(
    api_as, consultant, consultant2, manager, other_manager
):
    services.daily_report_save(
        consultant=consultant, date=timezone.localdate(), help_needed="需要试驾车", submit=True
    )
    esc = Escalation.objects.get()
    mine = api_as(consultant).get("/api/v1/escalations/").json()
    assert [e["id"] for e in mine["results"]] == [esc.pk] and mine["results"][0]["question"] == "需要试驾车"
    assert (
        api_as(consultant).post(f"/api/v1/escalations/{esc.pk}/answer/", {"answer": "x"}).status_code == 403
    )
    # Another consultant's role may never answer (403 before any lookup); another store's
    # manager may, but not this one: 404, as if it did not exist.
    assert api_as(consultant2).get(f"/api/v1/escalations/{esc.pk}/").status_code == 404
    assert api_as(other_manager).get(f"/api/v1/escalations/{esc.pk}/").status_code == 404
    answer = api_as(other_manager).post(f"/api/v1/escalations/{esc.pk}/answer/", {"answer": "x"})
    assert answer.status_code == 404
    assert api_as(manager).post(f"/api/v1/escalations/{esc.pk}/answer/", {"answer": " "}).status_code == 400
    ok = api_as(manager).post(f"/api/v1/escalations/{esc.pk}/answer/", {"answer": "周三安排"})
    assert ok.status_code == 200 and ok.json()["answered_by"] == manager.pk
    assert api_as(manager).get("/api/v1/escalations/", {"answered": "false"}).json()["count"] == 0
    assert api_as(manager).post("/api/v1/escalations/", {"question": "x"}).status_code == 405


def _visit(**extra):
    start = timezone.now() - timedelta(hours=1)
    return {
        "channel": "showroom",
        "started_at": start.isoformat(),
        "ended_at": (start + timedelta(minutes=30)).isoformat(),
        **extra,
    }


def test_a_visit_registers_a_new_prospect_on_the_spot(api_as, consultant, store):
    data = _visit(new_customer={"name": "周女士", "mobile": "13911112222", "source": "walk_in"})
    r = api_as(consultant).post("/api/v1/visits/", data, format="json")
    assert r.status_code == 201, r.json()
    made = Customer.objects.get(mobile="13911112222")
    assert r.json()["customer"] == made.pk and made.owner == consultant and made.store == store
    again = api_as(consultant).post("/api/v1/visits/", data, format="json")
    assert again.status_code == 400 and Customer.objects.count() == 1


def test_a_visit_without_customer_or_new_prospect_is_a_400(api_as, consultant):
    r = api_as(consultant).post("/api/v1/visits/", _visit(), format="json")
    assert r.status_code == 400 and "customer" in r.json()
    bad = api_as(consultant).post("/api/v1/visits/", _visit(new_customer={"name": "周"}), format="json")
    assert bad.status_code == 400 and not Customer.objects.exists()
