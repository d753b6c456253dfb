"""`scorecards/` (API.md): field names, money strings, null ratios, scoping, read-only."""

from datetime import date

import pytest

from apps.scoring.measures import NAMES

from . import factories as f

pytestmark = pytest.mark.django_db


def test_a_scorecard_has_every_measure_score_rank_and_closed(api_as, consultant):
    f.order(consultant, date(2026, 10, 4), 158000, 150000)
    response = api_as(consultant).get("/api/v1/scorecards/", {"period": "2026-10"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert set(NAMES) | {"score", "rank", "closed"} <= row.keys()
    assert row["consultant"] == consultant.pk and row["period"] == "2026-10"
    assert row["sales_revenue"] == "158000.00" and row["units"] == 1 and row["gross_profit"] == "8000.00"
    assert row["visits_per_day"] is None and row["report_compliance"] is None
    assert row["closed"] is False and row["rank"] == 1


def test_quarter_and_year_periods_are_accepted_and_a_bad_one_is_a_400(api_as, consultant):
    api = api_as(consultant)
    assert api.get("/api/v1/scorecards/", {"period": "2026-Q4"}).json()["results"][0]["period"] == "2026-Q4"
    assert api.get("/api/v1/scorecards/", {"period": "2026"}).json()["results"][0]["period"] == "2026"
    bad = api.get("/api/v1/scorecards/", {"period": "2026-13"})
    assert bad.status_code == 400 and "period" in bad.json()
    assert api.get("/api/v1/scorecards/", {"consultant": "x"}).status_code == 400


def test_a_manager_sees_his_stores_consultants_ranked(
    api_as, manager, consultant, consultant2, other_consultant
):
    f.order(consultant2, date(2026, 10, 4), 300000, 250000)
    f.order(consultant, date(2026, 10, 4), 100000, 90000)
    rows = api_as(manager).get("/api/v1/scorecards/", {"period": "2026-10"}).json()["results"]
    assert [(r["consultant"], r["rank"]) for r in rows] == [(consultant2.pk, 1), (consultant.pk, 2)]
    one = api_as(manager).get("/api/v1/scorecards/", {"period": "2026-10", "consultant": consultant.pk})
    assert [r["consultant"] for r in one.json()["results"]] == [consultant.pk]
    assert (
        api_as(manager).get(f"/api/v1/scorecards/{consultant.pk}/", {"period": "2026-10"}).json()["rank"] == 2
    )


def test_out_of_scope_consultants_are_404_and_the_endpoint_is_read_only(
    api_as, consultant, consultant2, other_manager, cs_agent
):
    api = api_as(consultant)
    assert api.get("/api/v1/scorecards/", {"consultant": consultant2.pk}).status_code == 404
    assert api.get(f"/api/v1/scorecards/{consultant2.pk}/").status_code == 404
    assert api_as(other_manager).get(f"/api/v1/scorecards/{consultant.pk}/").status_code == 404
    assert api_as(other_manager).get("/api/v1/scorecards/", {"consultant": consultant.pk}).status_code == 404
    for method in ("post", "put", "patch", "delete"):
        url = "/api/v1/scorecards/" if method == "post" else f"/api/v1/scorecards/{consultant.pk}/"
        assert getattr(api, method)(url, {}).status_code in (403, 405), method
    assert api_as(cs_agent).get("/api/v1/scorecards/").status_code == 403
    assert api_as(None).get("/api/v1/scorecards/").status_code in (401, 403)


def test_a_closed_period_serves_the_frozen_figures(api_as, manager, consultant, store):
    from apps.scoring import services

    f.order(consultant, date(2026, 10, 4), 100000, 90000)
    services.period_close(store=store, period="2026-10", closed_by=manager, today=date(2026, 11, 22))
    f.order(consultant, date(2026, 10, 5), 50000, 40000)
    row = api_as(consultant).get(f"/api/v1/scorecards/{consultant.pk}/", {"period": "2026-10"}).json()
    assert row["closed"] is True and row["sales_revenue"] == "100000.00" and row["units"] == 1
