"""weight-sets/, capabilities/, action-plans/ and forecasts/: the pages' services,
scoping and roles through the API."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.plans.models import ActionPlan, Capability, Forecast, WeightSet

from .factories import order, vehicle_model

pytestmark = pytest.mark.django_db


def _next_month():
    return (timezone.localdate().replace(day=28) + timedelta(days=4)).replace(day=1)


def test_a_manager_keeps_weight_sets_and_bad_weights_are_a_400(api_as, manager, consultant):
    api = api_as(manager)
    r = api.post(
        "/api/v1/weight-sets/",
        {"name": "旺季", "into": "quarter", "weights": {"1": 1, "2": 3}},
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["created_by"] == manager.pk
    bad = api.post(
        "/api/v1/weight-sets/", {"name": "负", "into": "month", "weights": {"1": -1}}, format="json"
    )
    assert bad.status_code == 400 and "weights" in bad.json()
    dup = api.post(
        "/api/v1/weight-sets/", {"name": "旺季", "into": "month", "weights": {"1": 1}}, format="json"
    )
    assert dup.status_code == 400 and "name" in dup.json()
    pk = r.json()["id"]
    assert (
        api.patch(f"/api/v1/weight-sets/{pk}/", {"weights": {"1": 2, "2": 2}}, format="json").status_code
        == 200
    )
    assert WeightSet.objects.get().weights == {"1": 2.0, "2": 2.0}
    assert api_as(consultant).get("/api/v1/weight-sets/").status_code == 403


def test_capability_weights_only_for_the_managers_consultants(
    api_as, manager, consultant, other_consultant, other_manager
):
    api = api_as(manager)
    r = api.post("/api/v1/capabilities/", {"consultant": consultant.pk, "weight": "1.5"}, format="json")
    assert r.status_code == 201, r.json()
    again = api.post("/api/v1/capabilities/", {"consultant": consultant.pk, "weight": "2"}, format="json")
    assert again.json()["id"] == r.json()["id"] and Capability.objects.get().weight == 2
    other = api.post(
        "/api/v1/capabilities/", {"consultant": other_consultant.pk, "weight": "1"}, format="json"
    )
    assert other.status_code == 400 and "consultant" in other.json()
    neg = api.post("/api/v1/capabilities/", {"consultant": consultant.pk, "weight": "-1"}, format="json")
    assert neg.status_code == 400
    assert api_as(other_manager).get(f"/api/v1/capabilities/{r.json()['id']}/").status_code == 404


def test_a_consultant_writes_an_action_plan_once_per_period_and_the_manager_comments(
    api_as, consultant, consultant2, manager, other_manager
):
    api = api_as(consultant)
    today = timezone.localdate()
    data = {"kind": "week", "period_start": today, "what": "回访 10 位 A 级客户", "whom": "A 级"}
    r = api.post("/api/v1/action-plans/", data, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["period_start"] == (today - timedelta(days=today.weekday())).isoformat()
    again = api.post("/api/v1/action-plans/", {**data, "what": "回访 12 位"}, format="json")
    assert again.json()["id"] == body["id"] and ActionPlan.objects.get().what == "回访 12 位"
    assert api.post("/api/v1/action-plans/", {**data, "what": ""}, format="json").status_code == 400
    pk = body["id"]
    moved = api.patch(
        f"/api/v1/action-plans/{pk}/", {"period_start": today + timedelta(days=14)}, format="json"
    )
    assert moved.status_code == 400
    assert api.post(f"/api/v1/action-plans/{pk}/comment/", {"comment": "x"}).status_code == 403
    assert api_as(manager).post("/api/v1/action-plans/", data, format="json").status_code == 403
    ok = api_as(manager).post(f"/api/v1/action-plans/{pk}/comment/", {"comment": "好计划"})
    assert ok.status_code == 200 and ok.json()["manager_comment"] == "好计划"
    assert ok.json()["commented_by"] == manager.pk
    for outsider in (consultant2, other_manager):
        assert api_as(outsider).get(f"/api/v1/action-plans/{pk}/").status_code == 404
        assert api_as(outsider).patch(f"/api/v1/action-plans/{pk}/", {"what": "x"}).status_code == 404
    assert (
        api_as(other_manager).post(f"/api/v1/action-plans/{pk}/comment/", {"comment": "x"}).status_code == 404
    )


def test_forecasts_for_a_month_not_begun_and_accuracy_of_past_months(
    api_as, store, consultant, consultant2, manager
):
    model = vehicle_model()
    api = api_as(consultant)
    data = {"month": _next_month(), "vehicle_model": model.pk, "units": 3}
    r = api.post("/api/v1/forecasts/", data, format="json")
    assert r.status_code == 201, r.json()
    assert api.post("/api/v1/forecasts/", {**data, "units": 4}, format="json").json()["id"] == r.json()["id"]
    past = api.post("/api/v1/forecasts/", {**data, "month": timezone.localdate()}, format="json")
    assert past.status_code == 400 and "month" in past.json()
    pk = r.json()["id"]
    assert api_as(consultant2).get(f"/api/v1/forecasts/{pk}/").status_code == 404
    assert api_as(manager).get(f"/api/v1/forecasts/{pk}/").status_code == 200
    assert api_as(manager).post("/api/v1/forecasts/", data, format="json").status_code == 403
    assert api.delete(f"/api/v1/forecasts/{pk}/").status_code == 204 and not Forecast.objects.exists()

    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    Forecast.objects.create(
        store=store, consultant=consultant, month=last_month, vehicle_model=model, units=3
    )
    order(consultant, store, last_month, model)
    rows = api_as(manager).get("/api/v1/forecasts/accuracy/").json()
    assert rows[0]["consultant"] == consultant.pk
    assert rows[0]["months"][0]["forecast"] == 3 and rows[0]["months"][0]["sold"] == 1
    assert rows[0]["months"][0]["accuracy"] == pytest.approx(0.0)
    assert api_as(consultant2).get("/api/v1/forecasts/accuracy/").json() == []


def test_the_action_plan_list_runs_a_fixed_number_of_queries(api_as, manager, consultant):
    api = api_as(manager)
    today = timezone.localdate()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/action-plans/").status_code == 200
        return len(ctx)

    ActionPlan.objects.create(
        store=manager.stores.first(),
        consultant=consultant,
        kind="week",
        period_start=today,
        period_end=today,
        what="a",
    )
    one = count()
    for weeks in (1, 2, 3):
        day = today - timedelta(weeks=weeks)
        ActionPlan.objects.create(
            store=manager.stores.first(),
            consultant=consultant,
            kind="week",
            period_start=day,
            period_end=day,
            what="b",
        )
    assert count() == one
