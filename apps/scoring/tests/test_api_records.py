"""ratings/ and period-closes/: the manager's rating and closing through the API."""

from datetime import date

import pytest

from apps.scoring.models import PeriodClose, Rating

from . import factories as f

pytestmark = pytest.mark.django_db

SCORES = {"cooperation": 4, "enthusiasm": 5, "loyalty": 4, "compliance": 3, "planning": 4, "progress": 5}


def test_a_manager_rates_once_per_period_and_the_consultant_reads_his_own(
    api_as, manager, consultant, consultant2, other_manager, other_consultant
):
    api = api_as(manager)
    r = api.post(
        "/api/v1/ratings/", {"consultant": consultant.pk, "period": "2026-10", **SCORES}, format="json"
    )
    assert r.status_code == 201, r.json()
    assert r.json()["average"] == "4.17" and r.json()["rated_by"] == manager.pk
    again = api.post(
        "/api/v1/ratings/",
        {"consultant": consultant.pk, "period": "2026-10", **SCORES, "progress": 1},
        format="json",
    )
    assert again.json()["id"] == r.json()["id"] and Rating.objects.get().progress == 1
    bad = api.post(
        "/api/v1/ratings/", {"consultant": consultant.pk, "period": "2026-13", **SCORES}, format="json"
    )
    assert bad.status_code == 400 and "period" in bad.json()
    theirs = api.post(
        "/api/v1/ratings/", {"consultant": other_consultant.pk, "period": "2026-10", **SCORES}, format="json"
    )
    assert theirs.status_code == 400 and "consultant" in theirs.json()
    pk = r.json()["id"]
    assert api_as(consultant).get(f"/api/v1/ratings/{pk}/").json()["progress"] == 1
    assert api_as(consultant).patch(f"/api/v1/ratings/{pk}/", {"progress": 5}).status_code == 403
    for outsider in (consultant2, other_manager):
        assert api_as(outsider).get(f"/api/v1/ratings/{pk}/").status_code == 404
    assert api_as(other_manager).patch(f"/api/v1/ratings/{pk}/", {"progress": 5}).status_code == 404


def test_closing_freezes_the_scorecards_once_and_refuses_rating_after(
    api_as, manager, consultant, other_manager, store, other_store
):
    f.order(consultant, date(2026, 10, 4), 158000, 150000)
    api = api_as(manager)
    r = api.post("/api/v1/period-closes/", {"period": "2026-10"}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["store"] == store.pk and body["closed_by"] == manager.pk
    assert body["snapshot"]["consultants"][str(consultant.pk)]["figures"]["units"] == 1
    twice = api.post("/api/v1/period-closes/", {"period": "2026-10"}, format="json")
    assert twice.status_code == 400 and "period" in twice.json() and PeriodClose.objects.count() == 1
    late = api.post(
        "/api/v1/ratings/", {"consultant": consultant.pk, "period": "2026-10", **SCORES}, format="json"
    )
    assert late.status_code == 400 and "period" in late.json()
    assert api.post("/api/v1/period-closes/", {"period": "2099-01"}, format="json").status_code == 400
    theirs = api.post("/api/v1/period-closes/", {"store": other_store.pk, "period": "2026-09"}, format="json")
    assert theirs.status_code == 400 and "store" in theirs.json()
    assert api_as(other_manager).get(f"/api/v1/period-closes/{body['id']}/").status_code == 404
    assert api_as(consultant).get("/api/v1/period-closes/").status_code == 403
    assert api.delete(f"/api/v1/period-closes/{body['id']}/").status_code == 405
