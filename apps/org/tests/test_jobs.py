"""Jobs asked for while the broker is down are kept and sent later (apps/org/jobs.py);
managers are told. The real outage is tests/test_redis_down.py."""

from datetime import date
from typing import Any

import pytest
from celery import current_app

from apps.aftersales import services as aftersales
from apps.org import jobs
from apps.org.models import PendingJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(monkeypatch: Any, settings: Any) -> dict[str, Any]:
    """A broker the test switches off and on; what reached it is in `sent`."""
    state: dict[str, Any] = {"up": True, "sent": []}
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.BROKER_CHECK_SECONDS = 0
    monkeypatch.setattr(jobs, "_ping", lambda: state["up"])

    def send(name: str, args: Any = (), kwargs: Any = None, **options: Any) -> None:
        if not state["up"]:
            raise ConnectionError("Redis is down")
        state["sent"].append((name, list(args)))

    monkeypatch.setattr(current_app, "send_task", send)
    return state


def test_a_job_asked_for_while_the_broker_is_down_is_kept_and_sent_when_it_is_back(
    broker, store, django_capture_on_commit_callbacks
):
    broker["up"] = False
    with django_capture_on_commit_callbacks(execute=True):
        aftersales.followups_generate_later(on=date(2026, 3, 2), store_id=store.pk)
    assert list(PendingJob.objects.values_list("task", "args")) == [
        ("apps.aftersales.tasks.followups_generate", ["2026-03-02", store.pk])
    ]
    assert jobs.send_pending() == 0  # still down: kept, one more attempt counted
    assert PendingJob.objects.get().attempts == 1
    broker["up"] = True
    assert jobs.send_pending() == 1
    assert broker["sent"] == [("apps.aftersales.tasks.followups_generate", ["2026-03-02", store.pk])]
    assert not PendingJob.objects.exists()


def test_a_job_goes_straight_to_the_broker_when_it_answers(broker, store, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        aftersales.followups_generate_later(on=date(2026, 3, 2), store_id=store.pk)
    assert broker["sent"] == [("apps.aftersales.tasks.followups_generate", ["2026-03-02", store.pk])]
    assert not PendingJob.objects.exists()


def test_a_publish_that_fails_although_the_broker_answered_a_moment_ago_is_kept(broker, store):
    from apps.aftersales.tasks import followups_generate

    def fail(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("lost")

    followups_generate.apply_async = fail  # type: ignore[method-assign]
    try:
        assert jobs.enqueue(followups_generate, "2026-03-02", None) is False
    finally:
        del followups_generate.apply_async
    assert PendingJob.objects.get().args == ["2026-03-02", None]


def test_the_beat_schedule_sends_kept_jobs_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["pending-jobs-send"]
    assert entry["task"] == "apps.org.tasks.pending_jobs_send" and entry["schedule"] == 60.0


def test_managers_see_that_jobs_are_delayed_and_consultants_do_not(broker, client_as, manager, consultant):
    broker["up"] = False
    assert 'data-testid="jobs-delayed"' in client_as(manager).get("/dashboard/").content.decode()
    assert 'data-testid="jobs-delayed"' not in client_as(consultant).get("/").content.decode()
    broker["up"] = True
    assert 'data-testid="jobs-delayed"' not in client_as(manager).get("/dashboard/").content.decode()
