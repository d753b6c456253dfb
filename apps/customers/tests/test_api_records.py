"""campaigns/ (with sources), strategy-cards/ and evaluation-cards/: the pages'
services, scoping and roles through the API."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.customers.models import EvaluationCard, StrategyCard

from .factories import make_campaign, make_customer

pytestmark = pytest.mark.django_db

CAMPAIGN = {
    "name": "车展",
    "source": "auto_show",
    "starts_on": "2026-09-01",
    "ends_on": "2026-09-03",
    "cost": "30000",
}


def test_marketing_records_a_campaign_and_reads_its_ratios(api_as, marketing, consultant, store):
    r = api_as(marketing).post("/api/v1/campaigns/", CAMPAIGN, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["store"] == store.pk and body["cost"] == "30000.00"
    assert body["leads"] == 0 and body["cost_per_lead"] is None and body["conversion"] is None
    make_customer(store, consultant, campaign_id=body["id"], source="auto_show")
    make_customer(store, consultant, campaign_id=body["id"], source="auto_show")
    again = api_as(marketing).get(f"/api/v1/campaigns/{body['id']}/").json()
    assert again["leads"] == 2 and again["cost_per_lead"] == "15000.00" and again["conversion"] == 0.0
    backwards = api_as(marketing).post(
        "/api/v1/campaigns/", {**CAMPAIGN, "ends_on": "2026-08-01"}, format="json"
    )
    assert backwards.status_code == 400
    assert api_as(consultant).get("/api/v1/campaigns/").status_code == 403


def test_campaigns_of_another_store_are_404(api_as, manager, other_manager, other_store):
    theirs = make_campaign(other_store)
    api = api_as(manager)
    assert api.get(f"/api/v1/campaigns/{theirs.pk}/").status_code == 404
    assert api.patch(f"/api/v1/campaigns/{theirs.pk}/", {"cost": "1"}).status_code == 404
    sneaky = api.post("/api/v1/campaigns/", {**CAMPAIGN, "store": other_store.pk}, format="json")
    assert sneaky.status_code == 400 and "store" in sneaky.json()


def test_sources_count_leads_and_deals_per_channel(api_as, manager, consultant, store, other_store):
    make_customer(store, consultant, source="walk_in")
    make_customer(store, consultant, source="walk_in")
    make_customer(store, consultant, source="referral")
    make_customer(other_store, None, source="referral")
    rows = api_as(manager).get("/api/v1/campaigns/sources/").json()
    assert [(r["source"], r["leads"], r["deals"]) for r in rows] == [("walk_in", 2, 0), ("referral", 1, 0)]
    assert rows[0]["label"] and rows[0]["cost"] == "0.00" and rows[0]["cost_per_lead"] == "0.00"
    assert rows[0]["conversion"] == 0.0


def test_the_campaign_list_runs_a_fixed_number_of_queries(api_as, manager, store):
    api = api_as(manager)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/campaigns/").status_code == 200
        return len(ctx)

    make_campaign(store)
    one = count()
    for n in range(3):
        make_campaign(store, name=f"试驾会{n}")
    assert count() == one


def test_strategy_and_evaluation_cards_of_a_key_account(
    api_as, consultant, consultant2, other_manager, store
):
    company = make_customer(store, consultant, kind="company", name="顺丰车队")
    api = api_as(consultant)
    r = api.post("/api/v1/strategy-cards/", {"customer": company.pk, "needs": "20 台 MPV"}, format="json")
    assert r.status_code == 201, r.json()
    again = api.post(
        "/api/v1/strategy-cards/", {"customer": company.pk, "strategy": "季度拜访"}, format="json"
    )
    assert again.json()["id"] == r.json()["id"] and StrategyCard.objects.get().strategy == "季度拜访"
    assert again.json()["updated_by"] == consultant.pk
    person = make_customer(store, consultant)
    assert api.post("/api/v1/strategy-cards/", {"customer": person.pk}, format="json").status_code == 400

    card = {"customer": company.pk, "month": "2026-10-15", "purchases": "316000", "satisfaction": 4}
    e = api.post("/api/v1/evaluation-cards/", card, format="json")
    assert e.status_code == 201, e.json()
    assert e.json()["month"] == "2026-10-01"
    e2 = api.post("/api/v1/evaluation-cards/", {**card, "satisfaction": 5}, format="json")
    assert e2.json()["id"] == e.json()["id"] and EvaluationCard.objects.get().satisfaction == 5
    assert (
        api.post("/api/v1/evaluation-cards/", {**card, "satisfaction": 6}, format="json").status_code == 400
    )
    for outsider in (consultant2, other_manager):
        out = api_as(outsider)
        assert out.get(f"/api/v1/strategy-cards/{r.json()['id']}/").status_code == 404
        assert out.patch(f"/api/v1/strategy-cards/{r.json()['id']}/", {"needs": "x"}).status_code == 404
        assert out.get(f"/api/v1/evaluation-cards/{e.json()['id']}/").status_code == 404
        assert out.post("/api/v1/evaluation-cards/", card, format="json").status_code == 400
    assert date(2026, 10, 1) == EvaluationCard.objects.get().month
