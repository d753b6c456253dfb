"""follow-up-rules/ and messages/: the rules page and the SMS log through the API."""

from datetime import date

import pytest

from apps.aftersales import services
from apps.aftersales.models import FollowUpRule, Message, RuleCode

from .factories import deliver

pytestmark = pytest.mark.django_db


def test_a_manager_lists_and_edits_his_stores_rules_through_the_service(
    api_as, manager, other_manager, cs_agent, store
):
    api = api_as(manager)
    body = api.get("/api/v1/follow-up-rules/", {"page_size": 100}).json()
    assert body["count"] == len(RuleCode.values)  # the defaults, made on first read as on the page
    rule = FollowUpRule.objects.get(store=store, rule=RuleCode.CARE_30D)
    ok = api.patch(f"/api/v1/follow-up-rules/{rule.pk}/", {"offset_days": 28, "priority": 2}, format="json")
    assert ok.status_code == 200 and ok.json()["offset_days"] == 28
    blank = api.patch(
        f"/api/v1/follow-up-rules/{rule.pk}/", {"channel": "sms", "template": ""}, format="json"
    )
    assert blank.status_code == 400 and "template" in blank.json()
    unknown = api.patch(f"/api/v1/follow-up-rules/{rule.pk}/", {"template": "{nobody}"}, format="json")
    assert unknown.status_code == 400 and "template" in unknown.json()
    rule.refresh_from_db()
    assert rule.offset_days == 28 and rule.channel != "sms"
    assert (
        api_as(other_manager).patch(f"/api/v1/follow-up-rules/{rule.pk}/", {"priority": 9}).status_code == 404
    )
    assert api_as(cs_agent).get("/api/v1/follow-up-rules/").status_code == 403
    assert api.post("/api/v1/follow-up-rules/", {"rule": "birthday"}).status_code == 405


def test_the_message_log_is_read_only_and_scoped(api_as, cs_agent, other_manager, store, consultant):
    deliver(store=store, consultant=consultant, delivered_on=date(2026, 1, 10))
    services.followups_generate(on=date(2026, 1, 17))
    msg = Message.objects.create(
        store=store, customer_id=store.customers.first().pk, send_on=date(2026, 1, 17)
    )
    body = api_as(cs_agent).get("/api/v1/messages/").json()
    assert msg.pk in [m["id"] for m in body["results"]] and body["results"][0]["status"] == "queued"
    assert api_as(cs_agent).post("/api/v1/messages/", {}).status_code in (403, 405)  # read-only
    assert api_as(other_manager).get(f"/api/v1/messages/{msg.pk}/").status_code == 404
    assert api_as(consultant).get("/api/v1/messages/").status_code == 403
