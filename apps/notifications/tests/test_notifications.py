"""The notification centre: exactly once, on commit, SMS by preference outside quiet hours."""

from datetime import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.notifications import services
from apps.notifications.models import Notification, SmsStatus
from apps.notifications.sms import LocmemBackend

pytestmark = pytest.mark.django_db


def test_notify_is_once_per_user_and_key(manager, consultant):
    assert services.notify(users=[manager, consultant], kind="message", key="k1", params={"title": "hi"}) == 2
    assert (
        services.notify(users=[manager, consultant.pk], kind="message", key="k1", params={"title": "hi"}) == 0
    )
    assert Notification.objects.count() == 2


def test_a_rolled_back_write_notifies_nobody(manager):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(users=[manager], kind="message", key="k2", params={"title": "x"})
        raise RuntimeError
    assert not Notification.objects.exists()


def test_sms_by_preference_outside_quiet_hours_and_never_twice(settings, manager, consultant):
    settings.SMS_BACKEND = "apps.notifications.sms.LocmemBackend"
    LocmemBackend.outbox.clear()
    manager.mobile = "13900000001"
    manager.save()
    services.preference_save(user=manager, sms=True)
    services.notify(users=[manager, consultant], kind="message", key="k3", params={"title": "客户投诉未处理"})
    assert Notification.objects.get(user=manager).sms_status == SmsStatus.PENDING
    assert Notification.objects.get(user=consultant).sms_status == SmsStatus.NONE
    night = timezone.make_aware(datetime(2026, 12, 1, 23, 0))
    assert services.sms_send(now=night) == {"sent": 0, "failed": 0, "deferred": 1}
    day = timezone.make_aware(datetime(2026, 12, 2, 10, 0))
    assert services.sms_send(now=day)["sent"] == 1
    assert services.sms_send(now=day)["sent"] == 0  # a second run sends nothing twice
    assert LocmemBackend.outbox == [("13900000001", "客户投诉未处理")]


def test_pages_bell_list_and_mark_read(client_as, manager, consultant):
    for i in range(3):
        services.notify(users=[manager], kind="message", key=f"p{i}", params={"title": f"提醒{i}"}, url="/")
    services.notify(users=[consultant], kind="message", key="theirs", params={"title": "not yours"})
    web = client_as(manager)
    body = web.get("/notifications/").content.decode()
    assert 'data-testid="bell-count">3<' in body and "not yours" not in body
    mine = Notification.objects.filter(user=manager).first()
    theirs = Notification.objects.get(user=consultant)
    assert web.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert web.post(f"/notifications/{mine.pk}/read/", {"next": "open"}).status_code == 302
    assert 'data-testid="bell-count">2<' in web.get("/notifications/").content.decode()
    web.post("/notifications/read-all/")
    assert "bell-count" not in web.get("/notifications/").content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_list_and_bell_run_a_fixed_number_of_queries(client_as, manager):
    web = client_as(manager)
    services.notify(users=[manager], kind="message", key="q0", params={"title": "a"})
    with CaptureQueriesContext(connection) as few:
        web.get("/notifications/")
    for i in range(1, 30):
        services.notify(users=[manager], kind="message", key=f"q{i}", params={"title": "a"})
    with CaptureQueriesContext(connection) as many:
        web.get("/notifications/")
    assert len(many) == len(few)


def test_api_lists_only_mine_and_marks_read(api_as, manager, consultant):
    services.notify(users=[manager], kind="message", key="a1", params={"title": "看报告"}, url="/x/")
    services.notify(users=[consultant], kind="message", key="a2", params={"title": "other"})
    api = api_as(manager)
    data = api.get("/api/v1/notifications/").json()
    assert data["count"] == 1
    row = data["results"][0]
    assert set(row) == {"id", "kind", "title", "url", "created_at", "read_at"} and row["title"] == "看报告"
    assert api.post(f"/api/v1/notifications/{row['id']}/read/").json()["read_at"] is not None
    other = Notification.objects.get(user=consultant)
    assert api.post(f"/api/v1/notifications/{other.pk}/read/").status_code == 404
    assert api.get("/api/v1/notifications/?unread=1").json()["count"] == 0
    assert api_as(None).get("/api/v1/notifications/").status_code in (401, 403)
