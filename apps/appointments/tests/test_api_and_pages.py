"""appointments/ API and pages: roles, scoping (404 outside), no 500 on bad input."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.activities.tests.factories import aware, customer
from apps.appointments import services
from apps.appointments.models import Appointment, Status

pytestmark = pytest.mark.django_db


def test_api_create_confirm_cancel(api_as, store, consultant, specialist):
    c = customer(store, consultant)
    tomorrow = timezone.localdate() + timedelta(days=1)
    api = api_as(consultant)
    r = api.post(
        "/api/v1/appointments/",
        {
            "customer": c.pk,
            "starts_at": aware(tomorrow, 10).isoformat(),
            "kind": "showroom",
            "purpose": "看车",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["status"] == "scheduled" and r.json()["consultant"] == consultant.pk
    r = api_as(specialist).post(f"/api/v1/appointments/{pk}/confirm/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    r = api_as(specialist).post(f"/api/v1/appointments/{pk}/cancel/", {}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = api_as(specialist).post(f"/api/v1/appointments/{pk}/cancel/", {"reason": "改期"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = api_as(specialist).post(f"/api/v1/appointments/{pk}/confirm/", {}, format="json")
    assert r.status_code == 400 and "detail" in r.json()


def test_api_bad_input_is_a_400(api_as, store, consultant):
    api = api_as(consultant)
    c = customer(store, consultant)
    assert api.post("/api/v1/appointments/", {"customer": c.pk}, format="json").status_code == 400
    past = (timezone.now() - timedelta(days=2)).isoformat()
    r = api.post(
        "/api/v1/appointments/", {"customer": c.pk, "starts_at": past, "kind": "showroom"}, format="json"
    )
    assert r.status_code == 400 and "starts_at" in r.json()
    r = api.post("/api/v1/appointments/", {"customer": 999999, "starts_at": past, "kind": "x"}, format="json")
    assert r.status_code == 400


def test_scoping_other_store_and_other_consultant_get_404(
    api_as, client_as, store, consultant, consultant2, other_manager, other_consultant
):
    c = customer(store, consultant)
    a = services.appointment_create(
        by=consultant, customer=c, starts_at=aware(timezone.localdate() + timedelta(days=1), 11)
    )
    for user in (consultant2, other_manager, other_consultant):
        api = api_as(user)
        assert api.get(f"/api/v1/appointments/{a.pk}/").status_code in (404, 403)
        assert api.post(f"/api/v1/appointments/{a.pk}/confirm/", {}).status_code in (404, 403)
        assert api.post(f"/api/v1/appointments/{a.pk}/cancel/", {"reason": "x"}).status_code in (404, 403)
        assert client_as(user).post(f"/appointments/{a.pk}/confirm/").status_code in (404, 403)
    assert api_as(consultant2).get(f"/api/v1/appointments/{a.pk}/").status_code == 404
    assert api_as(other_manager).get("/api/v1/appointments/").json()["count"] == 0
    a.refresh_from_db()
    assert a.status == Status.SCHEDULED


def test_the_specialist_sees_no_money(api_as, client_as, specialist):
    api = api_as(specialist)
    for url in ("/api/v1/orders/", "/api/v1/receivables/", "/api/v1/payments/", "/api/v1/customers/"):
        assert api.get(url).status_code == 403, url
    web = client_as(specialist)
    assert web.get("/sales/").status_code in (403, 404)
    assert web.get("/appointments/calls/").status_code == 200


def test_call_list_page_runs_a_fixed_number_of_queries(client_as, store, consultant, specialist):
    tomorrow = timezone.localdate() + timedelta(days=1)

    def add(n):
        for i in range(n):
            services.appointment_create(
                by=specialist,
                consultant=consultant,
                customer=customer(store, consultant),
                starts_at=aware(tomorrow, 9 + i % 10),
            )

    web = client_as(specialist)
    add(1)
    with CaptureQueriesContext(connection) as few:
        assert web.get("/appointments/calls/").status_code == 200
    add(12)
    with CaptureQueriesContext(connection) as many:
        body = web.get("/appointments/calls/").content.decode()
    # session, user, menu-free bell count, the list with customer and consultant joined
    assert len(many) == len(few)
    assert body.count('data-testid="call-') == 13


def test_the_manager_kpi_page(client_as, store, manager, consultant):
    today = timezone.localdate()
    a = services.appointment_create(
        by=consultant,
        customer=customer(store, consultant),
        starts_at=aware(today, 23),
        now=timezone.now() - timedelta(days=1),
    )
    Appointment.objects.filter(pk=a.pk).update(status=Status.NO_SHOW)
    body = client_as(manager).get("/appointments/kpis/").content.decode()
    assert 'data-testid="no-show-rate">100%' in body
    assert client_as(manager).get("/appointments/kpis/?month=2026-99").status_code == 200
    assert client_as(consultant).get("/appointments/kpis/").status_code == 403
