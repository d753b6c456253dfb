"""The after-sales API (API.md): fields, codes, 409 on a held task, scoping, query counts."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.aftersales import services
from apps.aftersales.models import Complaint, FollowUp, RuleCode, ServiceVisit

from .factories import deliver, make_customer, make_model, make_vin

DELIVERED = date(2026, 1, 10)
CALL_DAY = date(2026, 1, 17)


@pytest.fixture
def vehicle(store, consultant):
    return deliver(store=store, consultant=consultant, delivered_on=DELIVERED)


@pytest.fixture
def task(vehicle):
    services.followups_generate(on=CALL_DAY)
    return FollowUp.objects.get(rule=RuleCode.POST_SALE_7D)


@pytest.fixture
def complaint(vehicle, cs_agent):
    return services.complaint_open(
        store=vehicle.store,
        customer=vehicle.customer,
        vehicle=vehicle,
        by=cs_agent,
        category="parts",
        description="配件缺货",
    )


@pytest.fixture
def agent2(store):
    from apps.org.tests.factories import UserFactory

    return UserFactory(username="cs_agent2", role="customer_service", stores=[store], name="吴客服")


@pytest.mark.django_db
def test_vehicles_have_the_contract_fields_and_the_prediction(api_as, cs_agent, vehicle):
    body = api_as(cs_agent).get(f"/api/v1/vehicles/{vehicle.pk}/").json()
    for field in [
        "id",
        "vin",
        "customer",
        "vehicle_model",
        "plate",
        "delivered_on",
        "last_mileage",
        "daily_km",
        "next_service_due",
        "next_service_km",
    ]:
        assert field in body
    assert body["delivered_on"] == "2026-01-10" and body["next_service_due"] == "2026-04-10"


@pytest.mark.django_db
def test_an_advisor_records_a_service_visit_and_the_prediction_moves(api_as, advisor, vehicle):
    api = api_as(advisor)
    r = api.post(
        "/api/v1/service-visits/",
        {
            "vehicle": vehicle.pk,
            "date": "2026-04-01",
            "mileage": 3240,
            "kind": "first_service",
            "amount": "0",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["advisor"] == advisor.pk and r.json()["amount"] == "0.00"
    v = api.get(f"/api/v1/vehicles/{vehicle.pk}/").json()
    assert (v["last_mileage"], v["daily_km"], v["next_service_due"], v["next_service_km"]) == (
        3240,
        "40.0",
        "2026-10-01",
        13240,
    )
    r = api.post(
        "/api/v1/service-visits/",
        {"vehicle": vehicle.pk, "date": "2026-04-02", "mileage": 100, "kind": "repair", "amount": "10"},
        format="json",
    )
    assert r.status_code == 400 and "mileage" in r.json()
    r = api.post(
        "/api/v1/service-visits/",
        {"vehicle": vehicle.pk, "date": "2026-04-02", "mileage": 3300, "kind": "tuning", "amount": "-1"},
        format="json",
    )
    assert r.status_code == 400 and {"kind", "amount"} <= set(r.json())
    visit = ServiceVisit.objects.get()
    assert api.put(f"/api/v1/service-visits/{visit.pk}/", {}, format="json").status_code == 405


@pytest.mark.django_db
def test_a_vehicle_entered_by_hand_needs_a_valid_vin(api_as, advisor, store, consultant):
    owner = make_customer(store, consultant)
    model = make_model()
    api = api_as(advisor)
    data = {
        "customer": owner.pk,
        "vehicle_model": model.pk,
        "delivered_on": "2025-06-01",
        "plate": "京A12345",
    }
    r = api.post("/api/v1/vehicles/", {**data, "vin": "LFV2A21K0R1000001"}, format="json")
    assert r.status_code == 400 and "vin" in r.json()
    r = api.post("/api/v1/vehicles/", {**data, "vin": make_vin(424242), "last_mileage": 12000}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["store"] == store.pk and r.json()["last_mileage"] == 12000


@pytest.mark.django_db
def test_claim_answers_409_when_another_agent_holds_the_task(api_as, cs_agent, agent2, task):
    r = api_as(cs_agent).post(f"/api/v1/follow-ups/{task.pk}/claim/")
    assert r.status_code == 200 and r.json()["status"] == "claimed" and r.json()["assignee"] == cs_agent.pk
    r = api_as(agent2).post(f"/api/v1/follow-ups/{task.pk}/claim/")
    assert r.status_code == 409 and "何客服" in r.json()["detail"]
    r = api_as(agent2).post(f"/api/v1/follow-ups/{task.pk}/complete/", {"outcome": "reached"}, format="json")
    assert r.status_code == 409


@pytest.mark.django_db
def test_complete_records_the_call_and_a_complaint(api_as, cs_agent, task):
    api = api_as(cs_agent)
    r = api.post(
        f"/api/v1/follow-ups/{task.pk}/complete/", {"outcome": "reached", "satisfaction": 9}, format="json"
    )
    assert r.status_code == 400 and "satisfaction" in r.json()
    r = api.post(
        f"/api/v1/follow-ups/{task.pk}/complete/",
        {
            "outcome": "reached",
            "satisfaction": 2,
            "mileage": 650,
            "note": "提车后异响",
            "complaint": {"category": "vehicle_quality", "severity": "high", "description": "右前门异响"},
        },
        format="json",
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    for field in [
        "id",
        "vehicle",
        "customer",
        "rule",
        "due_date",
        "channel",
        "status",
        "assignee",
        "attempts",
        "outcome",
        "satisfaction",
        "mileage",
    ]:
        assert field in body
    assert (body["status"], body["outcome"], body["satisfaction"], body["mileage"]) == (
        "done",
        "reached",
        2,
        650,
    )
    c = api.get("/api/v1/complaints/").json()["results"][0]
    assert (c["category"], c["severity"], c["status"], c["raised_on"]) == (
        "vehicle_quality",
        "high",
        "open",
        task.pk,
    )


@pytest.mark.django_db
def test_complaints_move_through_their_statuses_by_patch(api_as, manager, complaint):
    api = api_as(manager)
    r = api.patch(f"/api/v1/complaints/{complaint.pk}/", {"status": "closed"}, format="json")
    assert r.status_code == 400 and "status" in r.json()
    r = api.patch(
        f"/api/v1/complaints/{complaint.pk}/", {"status": "in_progress", "owner": manager.pk}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "in_progress" and r.json()["owner"] == manager.pk
    r = api.patch(
        f"/api/v1/complaints/{complaint.pk}/",
        {"status": "resolved", "resolution": "已补货更换"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["resolved_at"]
    assert FollowUp.objects.filter(rule=RuleCode.COMPLAINT, about_complaint=complaint).count() == 1
    r = api.patch(
        f"/api/v1/complaints/{complaint.pk}/", {"status": "closed", "confirmed_via": "fax"}, format="json"
    )
    assert r.status_code == 400 and "confirmed_via" in r.json()
    r = api.patch(
        f"/api/v1/complaints/{complaint.pk}/",
        {"status": "closed", "confirmed_via": "phone", "confirmed_by": "张先生本人"},
        format="json",
    )
    body = r.json()
    assert r.status_code == 200 and body["closed_at"] and body["confirmed_at"]
    assert (body["confirmed_via"], body["confirmed_by"], body["confirmation_recorded_by"]) == (
        "phone",
        "张先生本人",
        manager.pk,
    )


@pytest.mark.django_db
def test_a_complaint_is_created_by_post_for_a_visible_customer_only(
    api_as, cs_agent, vehicle, other_store, other_consultant
):
    api = api_as(cs_agent)
    r = api.post(
        "/api/v1/complaints/",
        {
            "customer": vehicle.customer_id,
            "vehicle": vehicle.pk,
            "category": "price",
            "description": "保养太贵",
        },
        format="json",
    )
    assert r.status_code == 201 and r.json()["status"] == "open" and r.json()["severity"] == "medium"
    stranger = make_customer(other_store, other_consultant)
    r = api.post(
        "/api/v1/complaints/",
        {"customer": stranger.pk, "category": "price", "description": "x"},
        format="json",
    )
    assert r.status_code == 400 and "customer" in r.json()
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_other_stores_and_other_consultants_get_404_for_every_verb(
    api_as, vehicle, task, complaint, other_manager, consultant, consultant2, advisor
):
    services.service_visit_record(vehicle=vehicle, date=CALL_DAY, mileage=500, kind="repair", advisor=advisor)
    visit = ServiceVisit.objects.get()
    urls = {
        f"/api/v1/vehicles/{vehicle.pk}/": ["get", "put", "patch"],
        f"/api/v1/service-visits/{visit.pk}/": ["get"],
        f"/api/v1/follow-ups/{task.pk}/": ["get"],
        f"/api/v1/follow-ups/{task.pk}/claim/": ["post"],
        f"/api/v1/follow-ups/{task.pk}/complete/": ["post"],
        f"/api/v1/complaints/{complaint.pk}/": ["get", "put", "patch"],
    }
    # A manager of another store: the records are simply not there.
    api = api_as(other_manager)
    for url, verbs in urls.items():
        for verb in verbs:
            assert getattr(api, verb)(url, {}, format="json").status_code == 404, (url, verb)
    # The consultant of the customer sees his customer's vehicle; his teammate does not.
    assert api_as(consultant).get(f"/api/v1/vehicles/{vehicle.pk}/").status_code == 200
    assert api_as(consultant2).get(f"/api/v1/vehicles/{vehicle.pk}/").status_code == 404
    assert api_as(consultant2).get(f"/api/v1/service-visits/{visit.pk}/").status_code == 404
    # A consultant does not work the queue or complaints at all.
    assert api_as(consultant).get("/api/v1/follow-ups/").status_code == 403
    assert api_as(consultant).post(f"/api/v1/follow-ups/{task.pk}/claim/").status_code == 403
    assert api_as(consultant).get("/api/v1/complaints/").status_code == 403
    assert api_as(None).get("/api/v1/vehicles/").status_code == 401


@pytest.mark.django_db
def test_follow_ups_cannot_be_made_or_deleted_by_hand(api_as, manager, task):
    api = api_as(manager)
    assert api.post("/api/v1/follow-ups/", {}, format="json").status_code == 405
    assert api.delete(f"/api/v1/follow-ups/{task.pk}/").status_code == 405


@pytest.mark.django_db
def test_the_lists_run_a_fixed_number_of_queries(api_as, manager, store, consultant, advisor):
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api_as(manager).get(url).status_code == 200
        return len(ctx)

    urls = ["/api/v1/vehicles/", "/api/v1/service-visits/", "/api/v1/follow-ups/", "/api/v1/complaints/"]

    def add(n: int) -> None:
        for i in range(n):
            v = deliver(store=store, consultant=consultant, delivered_on=DELIVERED + timedelta(days=i))
            services.service_visit_record(
                vehicle=v, date=CALL_DAY + timedelta(i), mileage=100, kind="repair", advisor=advisor
            )
            services.complaint_open(
                store=store, customer=v.customer, vehicle=v, by=manager, category="other", description="x"
            )
        services.followups_generate(on=CALL_DAY + timedelta(days=n))

    add(1)
    few = [count(u) for u in urls]
    add(6)
    many = [count(u) for u in urls]
    # Per list: the manager's user row is cached by force_authenticate, so a list is
    # his store ids + the count + the page (ids only; related records are ids): 3 each.
    assert few == many == [3, 3, 3, 3]


@pytest.mark.django_db
def test_a_client_of_the_contract_closes_a_resolved_complaint_with_status_alone(api_as, manager, complaint):
    """API.md's complaint fields are enough to close: how the customer confirmed is then
    "not stated", and who recorded it is kept."""
    api = api_as(manager)
    api.patch(f"/api/v1/complaints/{complaint.pk}/", {"status": "in_progress"}, format="json")
    api.patch(
        f"/api/v1/complaints/{complaint.pk}/", {"status": "resolved", "resolution": "已更换"}, format="json"
    )
    r = api.patch(f"/api/v1/complaints/{complaint.pk}/", {"status": "closed"}, format="json")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "closed" and body["confirmed_at"]
    assert (body["confirmed_via"], body["confirmation_recorded_by"]) == ("", manager.pk)
