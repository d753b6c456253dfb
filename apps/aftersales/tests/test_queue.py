"""The callback queue, complaints and messages, through the services."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from apps.aftersales import services
from apps.aftersales.models import (
    Complaint,
    FollowUp,
    FollowUpStatus,
    Message,
    MessageStatus,
    RuleCode,
)
from apps.aftersales.sms import ConsoleBackend, FileBackend, HttpBackend, SmsError

from .factories import deliver, make_customer

DELIVERED = date(2026, 1, 10)
CALL_DAY = date(2026, 1, 17)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def task(store, consultant) -> FollowUp:
    deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    services.followups_generate(on=CALL_DAY)
    return FollowUp.objects.get(rule=RuleCode.POST_SALE_7D)


@pytest.fixture
def agent2(store):
    from apps.org.tests.factories import UserFactory

    return UserFactory(username="cs_agent2", role="customer_service", stores=[store], name="吴客服")


@pytest.mark.django_db
def test_the_queue_shows_overdue_then_today_by_priority_and_hides_the_future(store, consultant, cs_agent):
    from apps.aftersales.selectors import queue

    deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    deliver(store=store, consultant=consultant, delivered_on=DELIVERED + timedelta(days=1))
    deliver(store=store, consultant=consultant, delivered_on=DELIVERED + timedelta(days=5))
    services.followups_generate(on=date(2026, 1, 18))
    FollowUp.objects.filter(due_date=date(2026, 1, 18)).update(priority=9)
    rows = list(queue(user=cs_agent, today=date(2026, 1, 18)))
    assert [(t.due_date, t.priority) for t in rows] == [(date(2026, 1, 18), 9), (date(2026, 1, 17), 7)]


@pytest.mark.django_db
def test_an_agent_claims_a_task_and_a_second_agent_is_refused(task, cs_agent, agent2):
    services.followup_claim(followup=task, user=cs_agent)
    with pytest.raises(services.FollowUpTaken, match="何客服 is working on this task"):
        services.followup_claim(followup=task, user=agent2)
    # Claiming again is harmless for the holder.
    assert services.followup_claim(followup=task, user=cs_agent).assignee == cs_agent


@pytest.mark.django_db
def test_the_next_call_goes_to_one_agent_only(store, consultant, cs_agent, agent2):
    deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    deliver(store=store, consultant=consultant, delivered_on=DELIVERED)
    services.followups_generate(on=CALL_DAY)
    first = services.followup_claim_next(user=cs_agent, store_ids=[store.pk], today=CALL_DAY)
    second = services.followup_claim_next(user=agent2, store_ids=[store.pk], today=CALL_DAY)
    assert first and second and first.pk != second.pk
    assert services.followup_claim_next(user=agent2, store_ids=[store.pk], today=CALL_DAY) is None


@pytest.mark.django_db
def test_a_reached_call_records_satisfaction_mileage_booking_and_touches_the_customer(task, cs_agent):
    done = services.followup_complete(
        followup=task,
        by=cs_agent,
        outcome="reached",
        satisfaction=4,
        mileage=700,
        booking_made=True,
        note="满意",
        today=CALL_DAY,
    )
    assert (done.status, done.attempts, done.satisfaction, done.mileage, done.booking_made) == (
        "done",
        1,
        4,
        700,
        True,
    )
    done.vehicle.refresh_from_db()
    assert done.vehicle.last_mileage == 700 and done.vehicle.daily_km == 100
    done.customer.refresh_from_db()
    assert done.customer.last_contact_at is not None


@pytest.mark.django_db
def test_no_answer_comes_back_on_a_later_day_and_fails_after_three_attempts(task, cs_agent, agent2):
    day = CALL_DAY
    for attempt in (1, 2):
        t = services.followup_complete(followup=task, by=cs_agent, outcome="no_answer", today=day)
        assert (t.status, t.attempts, t.assignee, t.next_attempt_on) == (
            "open",
            attempt,
            None,
            day + timedelta(1),
        )
        day += timedelta(days=1)
    t = services.followup_complete(followup=task, by=agent2, outcome="no_answer", today=day)
    assert (t.status, t.attempts) == ("failed", 3)
    with pytest.raises(ValidationError):
        services.followup_claim(followup=task, user=cs_agent)


@pytest.mark.django_db
def test_bad_call_records_are_refused_and_nothing_is_saved(task, cs_agent):
    with pytest.raises(ValidationError) as e:
        services.followup_complete(followup=task, by=cs_agent, outcome="no_answer", satisfaction=5)
    assert "satisfaction" in e.value.error_dict
    with pytest.raises(ValidationError) as e:
        services.followup_complete(
            followup=task, by=cs_agent, outcome="reached", mileage=999999, today=CALL_DAY
        )
    assert "mileage" in e.value.error_dict and "2,000 km a day" in str(e.value)
    with pytest.raises(ValidationError):
        services.followup_complete(followup=task, by=cs_agent, outcome="maybe")
    task.refresh_from_db()
    assert (task.attempts, task.outcome, task.status) == (0, "", "open")


@pytest.mark.django_db
def test_a_mileage_below_an_earlier_reading_is_refused(task, cs_agent, advisor):
    services.service_visit_record(
        vehicle=task.vehicle, date=CALL_DAY, mileage=800, kind="repair", advisor=advisor
    )
    with pytest.raises(ValidationError, match="odometers do not run backwards") as e:
        services.service_visit_record(
            vehicle=task.vehicle, date=CALL_DAY + timedelta(1), mileage=500, kind="repair", advisor=advisor
        )
    # The refusal names the reading it clashes with.
    assert f"800 km on {CALL_DAY.isoformat()}" in str(e.value)


@pytest.mark.django_db
def test_a_second_first_service_for_the_same_car_is_refused(task, advisor):
    services.service_visit_record(
        vehicle=task.vehicle, date=CALL_DAY, mileage=3000, kind="first_service", advisor=advisor
    )
    with pytest.raises(ValidationError, match="first service on") as e:
        services.service_visit_record(
            vehicle=task.vehicle,
            date=CALL_DAY + timedelta(30),
            mileage=6000,
            kind="first_service",
            advisor=advisor,
        )
    assert "kind" in e.value.error_dict
    assert task.vehicle.service_visits.count() == 1


@pytest.mark.django_db
def test_a_complaint_raised_on_a_call_links_to_it_and_follows_the_status_flow(task, cs_agent, manager):
    services.followup_complete(
        followup=task,
        by=cs_agent,
        outcome="reached",
        satisfaction=2,
        complaint={
            "category": "waiting_time",
            "severity": "high",
            "department": "service",
            "description": "等太久",
        },
        today=CALL_DAY,
    )
    complaint = Complaint.objects.get()
    assert (complaint.raised_on, complaint.vehicle, complaint.status) == (task, task.vehicle, "open")
    with pytest.raises(ValidationError, match="Say how the complaint was resolved"):
        services.complaint_set_status(complaint=complaint, status="resolved", by=manager)
    with pytest.raises(ValidationError, match="cannot become Closed"):
        services.complaint_set_status(complaint=complaint, status="closed", by=manager)
    c = services.complaint_set_status(complaint=complaint, status="in_progress", by=manager)
    assert c.in_progress_at is not None
    c = services.complaint_set_status(
        complaint=c, status="resolved", by=manager, resolution="道歉，免费洗车", today=date(2026, 1, 20)
    )
    assert c.resolved_at is not None
    callback = FollowUp.objects.get(rule=RuleCode.COMPLAINT)
    assert (callback.about_complaint, callback.due_date, callback.channel) == (c, date(2026, 1, 21), "call")
    with pytest.raises(ValidationError, match="Say how the customer confirmed"):
        services.complaint_set_status(complaint=c, status="closed", by=manager)
    c = services.complaint_set_status(complaint=c, status="closed", by=manager, confirmed_via="phone")
    assert c.closed_at is not None and c.status == "closed"
    # Who (the customer by default), when (now by default), how, and who recorded it.
    assert (c.confirmed_by, c.confirmed_via, c.confirmation_recorded_by) == (
        c.customer.name,
        "phone",
        manager,
    )
    assert c.confirmed_at is not None and c.confirmed_at >= c.resolved_at


@pytest.mark.django_db
def test_messages_are_sent_logged_and_respect_opt_out_and_quiet_hours(store, consultant, outbox):
    happy = make_customer(store, consultant)
    quiet = make_customer(store, consultant, sms_opt_out=True)
    deliver(store=store, consultant=consultant, delivered_on=date(2025, 3, 2), customer=happy)
    deliver(store=store, consultant=consultant, delivered_on=date(2025, 3, 2), customer=quiet)
    services.followups_generate(on=date(2026, 3, 2))
    assert Message.objects.filter(status=MessageStatus.QUEUED).count() == 2
    night = datetime(2026, 3, 2, 22, 30, tzinfo=SHANGHAI)
    assert services.messages_send(on=date(2026, 3, 2), now=night)["deferred"] == 2
    assert outbox == []
    morning = datetime(2026, 3, 2, 10, 5, tzinfo=SHANGHAI)
    counts = services.messages_send(on=date(2026, 3, 2), now=morning)
    assert counts == {"sent": 1, "failed": 0, "skipped": 1, "deferred": 0}
    assert outbox == [
        (
            happy.mobile,
            f"【{store.name}】{happy.name}，感谢您与{happy.vehicles.get().vehicle_model}相伴又一年！",
        )
    ]
    sent = Message.objects.get(customer=happy)
    assert (sent.status, sent.backend, sent.attempts, sent.mobile) == ("sent", "locmem", 1, happy.mobile)
    assert Message.objects.get(customer=quiet).status == "skipped"
    assert set(FollowUp.objects.filter(channel="sms").values_list("status", flat=True)) == {"done"}
    # A second run sends nothing again.
    assert services.messages_send(on=date(2026, 3, 2), now=morning)["sent"] == 0 and len(outbox) == 1


@pytest.mark.django_db
def test_a_failing_gateway_is_retried_on_later_runs_then_marked_failed(store, consultant, settings):
    settings.SMS_BACKEND = "apps.aftersales.tests.test_queue.BrokenBackend"
    deliver(store=store, consultant=consultant, delivered_on=date(2025, 3, 2))
    services.followups_generate(on=date(2026, 3, 2))
    morning = datetime(2026, 3, 2, 10, 5, tzinfo=SHANGHAI)
    for attempt in (1, 2, 3):
        services.messages_send(on=date(2026, 3, 2), now=morning + timedelta(hours=attempt))
    msg = Message.objects.get()
    assert (msg.status, msg.attempts, msg.error) == ("failed", 3, "gateway down")
    assert msg.followup.status == FollowUpStatus.FAILED


class BrokenBackend(ConsoleBackend):
    name = "broken"

    def send(self, mobile: str, text: str) -> str:
        raise SmsError("gateway down")


def test_the_console_and_file_backends_write_the_message(tmp_path, capsys):
    ConsoleBackend().send("13800000000", "你好")
    assert "SMS to 13800000000: 你好" in capsys.readouterr().out
    FileBackend(path=tmp_path).send("13800000000", "你好")
    (log,) = tmp_path.iterdir()
    assert '"mobile": "13800000000"' in log.read_text() and "你好" in log.read_text()


def test_the_http_backend_retries_then_gives_up_with_the_reason():
    import http.server
    import threading

    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            hits.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(503 if len(hits) < 2 else 200)
            self.end_headers()
            self.wfile.write(b'{"id": "abc"}' if len(hits) >= 2 else b"")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/sms"
        assert HttpBackend(url=url, timeout=2, retries=2).send("13800000000", "hi") == "abc"
        assert len(hits) == 2
        hits.clear()
        hits.extend([b"", b"", b""])  # from now on the gateway answers 200
    finally:
        server.shutdown()
    with pytest.raises(SmsError):
        HttpBackend(url=url, timeout=0.5, retries=1).send("13800000000", "hi")


@pytest.mark.django_db
def test_a_no_answer_call_waits_for_its_next_attempt_date(task, cs_agent, agent2):
    """Set for tomorrow, it cannot be claimed or worked again today (it would burn an attempt)."""
    services.followup_complete(followup=task, by=cs_agent, outcome="no_answer", today=CALL_DAY)
    for who in (cs_agent, agent2):
        with pytest.raises(ValidationError, match="next attempt is due on 2026-01-18"):
            services.followup_claim(followup=task, user=who, today=CALL_DAY)
        with pytest.raises(ValidationError, match="next attempt"):
            services.followup_complete(followup=task, by=who, outcome="no_answer", today=CALL_DAY)
    assert FollowUp.objects.get(pk=task.pk).attempts == 1
    assert services.followup_claim_next(user=cs_agent, store_ids=[task.store_id], today=CALL_DAY) is None
    tomorrow = CALL_DAY + timedelta(days=1)
    assert services.followup_claim(followup=task, user=agent2, today=tomorrow).assignee == agent2


@pytest.mark.django_db
def test_the_queue_and_the_task_page_show_the_same_date(client_as, task, cs_agent):
    services.followup_complete(followup=task, by=cs_agent, outcome="no_answer", today=CALL_DAY)
    task.refresh_from_db()
    assert task.call_on == date(2026, 1, 18) != task.due_date
    client = client_as(cs_agent)
    page = client.get(f"/aftersales/follow-ups/{task.pk}/").content.decode()
    assert 'data-testid="call-on">2026-01-18' in page
    api = client.get(f"/api/v1/follow-ups/{task.pk}/").json()
    assert api["call_on"] == "2026-01-18" and api["due_date"] == "2026-01-17"


@pytest.mark.django_db
def test_a_confirmation_names_who_and_when_and_cannot_precede_the_resolution(store, consultant, manager):
    from django.utils import timezone

    item = services.complaint_open(
        store=store, customer=make_customer(store, consultant), by=manager, category="price", description="贵"
    )
    item = services.complaint_set_status(complaint=item, status="resolved", by=manager, resolution="退差价")
    before = item.resolved_at - timedelta(hours=1)
    with pytest.raises(ValidationError, match="before the complaint was resolved"):
        services.complaint_set_status(
            complaint=item, status="closed", by=manager, confirmed_via="wechat", confirmed_at=before
        )
    assert Complaint.objects.get(pk=item.pk).status == "resolved"
    at = timezone.now()
    item = services.complaint_set_status(
        complaint=item,
        status="closed",
        by=manager,
        confirmed_via="wechat",
        confirmed_by="客户妻子",
        confirmed_at=at,
    )
    assert (item.confirmed_by, item.confirmed_at, item.confirmed_via) == ("客户妻子", at, "wechat")
