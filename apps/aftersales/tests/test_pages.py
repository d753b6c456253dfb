"""The after-sales pages: roles, scoping, forms, and fixed query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.aftersales import services
from apps.aftersales.models import Complaint, FollowUp, FollowUpRule, RuleCode, ServiceVisit

from .factories import deliver

TODAY = timezone.localdate()


@pytest.fixture
def vehicle(store, consultant):
    return deliver(store=store, consultant=consultant, delivered_on=TODAY - timedelta(days=7))


@pytest.fixture
def task(vehicle):
    services.followups_generate(on=TODAY)
    return FollowUp.objects.get(rule=RuleCode.POST_SALE_7D)


@pytest.fixture
def complaint(vehicle, cs_agent):
    return services.complaint_open(
        store=vehicle.store,
        customer=vehicle.customer,
        vehicle=vehicle,
        by=cs_agent,
        category="price",
        description="保养报价偏高",
    )


PAGES = {
    "/aftersales/": ["cs_agent", "manager"],
    "/aftersales/my-day/": ["cs_agent", "manager"],
    "/aftersales/vehicles/": ["cs_agent", "manager", "advisor", "consultant"],
    "/aftersales/service-visits/": ["advisor", "manager"],
    "/aftersales/service-visits/new/": ["advisor", "manager"],
    "/aftersales/complaints/": ["cs_agent", "manager", "advisor"],
    "/aftersales/kpis/": ["cs_agent", "manager"],
    "/aftersales/rules/": ["manager"],
}
PERSONAS = ["cs_agent", "manager", "advisor", "consultant", "marketing", "finance"]


@pytest.mark.django_db
def test_each_page_opens_for_its_roles_and_is_forbidden_to_the_others(client_as, request, task, complaint):
    for url, allowed in PAGES.items():
        for persona in PERSONAS:
            user = request.getfixturevalue(persona)
            status = client_as(user).get(url).status_code
            assert status == (200 if persona in allowed else 403), (url, persona, status)


@pytest.mark.django_db
def test_records_of_another_store_or_consultant_are_404(
    client_as, other_manager, consultant2, task, complaint
):
    rule = FollowUpRule.objects.filter(store=task.store).first()
    client = client_as(other_manager)
    for url in [
        f"/aftersales/vehicles/{task.vehicle_id}/",
        f"/aftersales/follow-ups/{task.pk}/",
        f"/aftersales/complaints/{complaint.pk}/",
        f"/aftersales/rules/{rule.pk}/",
        f"/aftersales/service-visits/new/?vehicle={task.vehicle_id}",
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        f"/aftersales/follow-ups/{task.pk}/claim/",
        f"/aftersales/follow-ups/{task.pk}/release/",
        f"/aftersales/follow-ups/{task.pk}/",
        f"/aftersales/complaints/{complaint.pk}/",
        f"/aftersales/rules/{rule.pk}/",
    ]:
        assert client.post(url, {"status": "closed", "outcome": "reached"}).status_code == 404, url
    assert client_as(consultant2).get(f"/aftersales/vehicles/{task.vehicle_id}/").status_code == 404
    task.refresh_from_db()
    assert task.status == "open"


@pytest.mark.django_db
def test_an_agent_claims_and_records_a_call_on_the_pages(client_as, cs_agent, task):
    client = client_as(cs_agent)
    html = client.get("/aftersales/").content.decode()
    assert task.customer.name in html and "Claim" in html
    assert (
        client.post(f"/aftersales/follow-ups/{task.pk}/claim/")["Location"]
        == f"/aftersales/follow-ups/{task.pk}/"
    )
    page = client.get(f"/aftersales/follow-ups/{task.pk}/").content.decode()
    assert "Record the call" in page and task.customer.mobile in page
    r = client.post(f"/aftersales/follow-ups/{task.pk}/", {"outcome": "reached", "raise_complaint": "on"})
    assert r.status_code == 200 and "Describe the complaint." in r.content.decode()
    r = client.post(
        f"/aftersales/follow-ups/{task.pk}/",
        {
            "outcome": "reached",
            "satisfaction": "5",
            "mileage": "600",
            "booking_made": "on",
            "raise_complaint": "on",
            "category": "waiting_time",
            "severity": "low",
            "department": "service",
            "description": "交车等了一小时",
        },
    )
    assert r.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.satisfaction, task.mileage, task.booking_made) == ("done", 5, 600, True)
    assert Complaint.objects.get().raised_on == task
    day = client.get("/aftersales/my-day/").content.decode()
    assert "100%" in day and task.customer.name in day


@pytest.mark.django_db
def test_a_mistyped_mileage_is_shown_on_the_form_and_nothing_is_saved(client_as, cs_agent, task):
    client = client_as(cs_agent)
    client.post(f"/aftersales/follow-ups/{task.pk}/claim/")
    r = client.post(f"/aftersales/follow-ups/{task.pk}/", {"outcome": "reached", "mileage": "90000"})
    assert r.status_code == 200 and "2,000 km a day" in r.content.decode()
    task.refresh_from_db()
    assert task.status == "claimed" and task.attempts == 0


@pytest.mark.django_db
def test_a_task_held_by_another_agent_cannot_be_claimed_from_the_queue(client_as, cs_agent, manager, task):
    services.followup_claim(followup=task, user=manager)
    r = client_as(cs_agent).post(f"/aftersales/follow-ups/{task.pk}/claim/", follow=True)
    assert "郑经理 is working on this task already." in r.content.decode()


@pytest.mark.django_db
def test_the_next_call_button_claims_the_most_urgent_task(client_as, cs_agent, task):
    r = client_as(cs_agent).post("/aftersales/claim-next/")
    assert r["Location"] == f"/aftersales/follow-ups/{task.pk}/"
    r = client_as(cs_agent).post("/aftersales/claim-next/", follow=True)
    assert "The queue is empty" in r.content.decode()


@pytest.mark.django_db
def test_an_advisor_records_a_visit_by_vin_and_sees_the_prediction(client_as, advisor, vehicle):
    client = client_as(advisor)
    data = {
        "vin": "LFV2A21K0R1999999",
        "date": TODAY.isoformat(),
        "mileage": "800",
        "kind": "repair",
        "amount": "0",
    }
    assert (
        "No vehicle of your stores has this VIN or plate."
        in client.post("/aftersales/service-visits/new/", data).content.decode()
    )
    r = client.post(
        "/aftersales/service-visits/new/", {**data, "vin": vehicle.vin.lower(), "mileage": "99999"}
    )
    assert "2,000 km a day" in r.content.decode()
    r = client.post("/aftersales/service-visits/new/", {**data, "vin": vehicle.vin, "kind": "first_service"})
    assert r.status_code == 302 and ServiceVisit.objects.count() == 1
    page = client.get(r["Location"]).content.decode()
    assert "Maintenance prediction" in page and "First service" in page


@pytest.mark.django_db
def test_a_complaint_moves_on_from_its_page_and_refuses_a_skip(client_as, manager, complaint):
    client = client_as(manager)
    url = f"/aftersales/complaints/{complaint.pk}/"
    r = client.post(url, {"form": "status", "status": "closed"})
    assert r.status_code == 200 and "cannot become Closed" in r.content.decode()
    r = client.post(url, {"form": "status", "status": "resolved", "resolution": "已退差价"})
    assert r.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "resolved" and complaint.resolved_at
    r = client.post(url, {"form": "assign", "owner": manager.pk, "department": "finance", "severity": "high"})
    assert r.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.owner, complaint.department) == (manager, "finance")
    r = client.post(url, {"form": "status", "status": "closed"})
    assert r.status_code == 200 and "Say how the customer confirmed" in r.content.decode()
    r = client.post(
        url, {"form": "status", "status": "closed", "confirmed_via": "in_person", "confirmed_by": "张先生"}
    )
    assert r.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="confirmation">张先生 · In person' in page


@pytest.mark.django_db
def test_a_rule_is_edited_and_a_bad_template_is_refused(client_as, manager, store):
    client = client_as(manager)
    assert "Post-sale callback" in client.get("/aftersales/rules/").content.decode()
    rule = FollowUpRule.objects.get(store=store, rule=RuleCode.BIRTHDAY)
    data = {"enabled": "on", "offset_days": "0", "channel": "sms", "call_after_days": "3", "priority": "3"}
    r = client.post(f"/aftersales/rules/{rule.pk}/", {**data, "template": "生日快乐 {nickname}"})
    assert "Unknown field in the template" in r.content.decode()
    r = client.post(f"/aftersales/rules/{rule.pk}/", {**data, "template": "{customer}，生日快乐"})
    assert r.status_code == 302
    rule.refresh_from_db()
    assert rule.template == "{customer}，生日快乐"


@pytest.mark.django_db
def test_the_kpi_page_shows_completion_contact_rate_and_satisfaction(
    client_as, manager, cs_agent, task, complaint
):
    services.followup_complete(followup=task, by=cs_agent, outcome="reached", satisfaction=4)
    services.complaint_set_status(complaint=complaint, status="resolved", by=manager, resolution="ok")
    html = client_as(manager).get("/aftersales/kpis/").content.decode()
    assert "何客服" in html and "100%" in html and "4.0" in html
    r = client_as(manager).get("/aftersales/kpis/", {"start": "2026-02-01", "end": "2026-01-01"})
    assert "The end is before the start." in r.content.decode()


@pytest.mark.django_db
def test_the_lists_and_the_queue_run_a_fixed_number_of_queries(
    client_as, manager, store, consultant, advisor
):
    def count(url: str) -> int:
        client = client_as(manager)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    urls = [
        "/aftersales/",
        "/aftersales/vehicles/",
        "/aftersales/service-visits/",
        "/aftersales/complaints/",
        "/aftersales/kpis/",
        "/aftersales/my-day/",
    ]

    def add(n: int) -> None:
        for _i in range(n):
            v = deliver(store=store, consultant=consultant, delivered_on=TODAY - timedelta(days=7))
            services.service_visit_record(vehicle=v, date=TODAY, mileage=100, kind="repair", advisor=advisor)
            services.complaint_open(
                store=store, customer=v.customer, vehicle=v, by=manager, category="other", description="x"
            )
        services.followups_generate(on=TODAY)

    add(1)
    few = [count(u) for u in urls]
    add(5)
    many = [count(u) for u in urls]
    # Each page: session + user + menu work, then its own queries (count and page, or
    # the aggregates); none grows with the rows shown.
    assert few == many, (few, many)


@pytest.mark.django_db
def test_generate_now_enqueues_the_job_with_a_date_after_commit(
    client_as, manager, store, monkeypatch, django_capture_on_commit_callbacks
):
    from apps.aftersales import tasks

    sent = []
    monkeypatch.setattr(
        tasks.followups_generate, "apply_async", lambda args, **options: sent.append(tuple(args))
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        r = client_as(manager).post("/aftersales/rules/generate-now/")
    assert r.status_code == 302 and len(callbacks) == 1
    assert sent == [(TODAY.isoformat(), store.pk)]


@pytest.mark.django_db
def test_an_agent_holding_calls_cannot_be_deactivated(cs_agent, task):
    from apps.org.services import user_deactivating

    services.followup_claim(followup=task, user=cs_agent)
    reasons = [r for _f, r in user_deactivating.send(sender=type(cs_agent), user=cs_agent) if r]
    assert reasons and "holds 1 claimed calls" in reasons[0]
    services.followup_release(followup=task, user=cs_agent)
    assert not [r for _f, r in user_deactivating.send(sender=type(cs_agent), user=cs_agent) if r]


@pytest.mark.django_db
def test_a_complaint_raised_on_a_call_gets_the_owner_routed_for_its_category(
    client_as, manager, cs_agent, advisor, consultant, other_manager, task
):
    client = client_as(manager)
    page = client.get("/aftersales/complaints/routing/")
    owners = list(page.context["form"].fields["waiting_time_owner"].queryset)
    assert advisor in owners and cs_agent in owners and consultant not in owners  # handlers only
    bad = client.post(
        "/aftersales/complaints/routing/", {"store": task.store_id, "waiting_time_owner": other_manager.pk}
    )
    assert bad.status_code == 200 and bad.context["form"].errors  # not one of the store's handlers
    r = client.post(
        "/aftersales/complaints/routing/",
        {"store": task.store_id, "waiting_time_owner": advisor.pk, "waiting_time_department": "parts"},
    )
    assert r.status_code == 302
    assert client_as(cs_agent).get("/aftersales/complaints/routing/").status_code == 403

    agent = client_as(cs_agent)
    agent.post(f"/aftersales/follow-ups/{task.pk}/claim/")
    r = agent.post(
        f"/aftersales/follow-ups/{task.pk}/",
        {
            "outcome": "reached",
            "satisfaction": "2",
            "raise_complaint": "on",
            "category": "waiting_time",
            "severity": "medium",
            "department": "",
            "description": "等了两个小时",
        },
        follow=True,
    )
    complaint = Complaint.objects.get()
    assert (complaint.owner, complaint.department) == (advisor, "parts")
    shown = [str(m) for m in r.context["messages"]]
    assert f"Complaint #{complaint.pk} (Waiting time) opened for {advisor}, Parts." in shown
    # The assignment list on the complaint holds only the store's complaint handlers too.
    detail = client_as(manager).get(f"/aftersales/complaints/{complaint.pk}/")
    assert consultant not in list(detail.context["assign_form"].fields["owner"].queryset)


@pytest.mark.django_db
def test_a_complaint_the_caller_routes_himself_keeps_his_choice_and_api_clients_get_the_routing(
    api_as, manager, cs_agent, advisor, complaint
):
    services.complaint_routing_save(store=complaint.store, by=manager, routes={"price": (advisor, "sales")})
    mine = services.complaint_open(
        store=complaint.store,
        customer=complaint.customer,
        by=cs_agent,
        category="price",
        department="finance",
        owner=cs_agent,
        description="发票开错",
    )
    assert (mine.owner, mine.department) == (cs_agent, "finance")
    body = {"customer": complaint.customer_id, "category": "price", "description": "报价太高"}
    created = api_as(cs_agent).post("/api/v1/complaints/", body, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["owner"], created.json()["department"]) == (advisor.pk, "sales")
    plain = api_as(cs_agent).post("/api/v1/complaints/", {**body, "category": "parts"}, format="json")
    assert plain.json()["department"] == "service"  # no routing: the service workshop, as before


@pytest.mark.django_db
def test_satisfaction_has_labels_and_the_priority_badges_are_explained(client_as, cs_agent, task):
    client = client_as(cs_agent)
    assert "P1–P9" in client.get("/aftersales/").content.decode()
    client.post(f"/aftersales/follow-ups/{task.pk}/claim/")
    page = client.get(f"/aftersales/follow-ups/{task.pk}/").content.decode()
    assert "5 · Very satisfied" in page and "1 · Very dissatisfied" in page


@pytest.mark.django_db
def test_the_queue_filters_sorts_and_exports_with_the_filters_applied(
    client_as, cs_agent, task, store, consultant
):
    other = deliver(store=store, consultant=consultant, delivered_on=TODAY - timedelta(days=7))
    services.followups_generate(on=TODAY)
    client = client_as(cs_agent)
    both = client.get("/aftersales/").context["object_list"]
    assert {t.customer_id for t in both} >= {task.customer_id, other.customer_id}
    one = client.get("/aftersales/", {"q": other.customer.mobile}).context["object_list"]
    assert {t.customer_id for t in one} == {other.customer_id}
    by_name = client.get("/aftersales/", {"sort": "customer"}).context["object_list"]
    assert [t.customer.name for t in by_name] == sorted(t.customer.name for t in by_name)
    assert client.get("/aftersales/", {"overdue": "true"}).context["object_list"].__len__() == 0
    export = client.get("/aftersales/", {"q": other.customer.mobile, "export": "csv"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert other.customer.name in body and task.customer.name not in body
