"""A worker killed (-9) half-way through the day's follow-ups: the job goes back to the
queue after the visibility timeout and a new worker completes it, every task once.

The test holds a lock on the message table, so the worker's run stops at its last
step (the SMS for the tasks it has already made) — a crash exactly there leaves the
day half-made, as in the incident (81 of 93). The worker is killed, its database
session ended as a dead machine's would be, and a new worker started. The workers
get a 5 s visibility timeout (CELERY_VISIBILITY_TIMEOUT) so the test runs in seconds.
"""

import os
import signal
import time
from datetime import date, timedelta

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from apps.aftersales import services, tasks
from apps.aftersales.models import FollowUp, Message
from conftest import skip_or_fail

from .factories import deliver
from .test_celery import ON, _env, _stop, _worker

VISIBILITY = 5


def keys() -> tuple[list[tuple], list[tuple]]:
    followups = sorted(FollowUp.objects.values_list("vehicle", "rule", "due_date", "channel"))
    messages = sorted(Message.objects.values_list("followup__vehicle", "followup__rule", "send_on"))
    return followups, messages


def wait_for(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_the_visibility_timeout_is_minutes_not_an_hour():
    if not settings.REDIS_URL:
        pytest.skip("the embedded broker has no visibility timeout")
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert 60 <= timeout <= 15 * 60


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_generation_is_replaced_and_the_day_completes_exactly_once(store, consultant):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        skip_or_fail("needs REDIS_URL and PostgreSQL")
    for d in range(40):
        deliver(store=store, consultant=consultant, delivered_on=date(2025, 12, 1) + timedelta(days=d))
    for _ in range(10):  # a year ago today: anniversary SMS
        deliver(store=store, consultant=consultant, delivered_on=date(2025, 1, 25))
    # What the day should hold, made in this process, then wiped.
    services.followups_generate(on=date.fromisoformat(ON))
    expected = keys()
    assert expected[0] and expected[1], "the day should have calls and SMS"
    Message.objects.all().delete()
    FollowUp.objects.all().delete()

    db = connection.settings_dict
    lock = psycopg2.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
    )
    env = {**_env(), "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY)}
    first = second = None
    try:
        with lock.cursor() as cur:
            cur.execute(f"LOCK TABLE {Message._meta.db_table} IN EXCLUSIVE MODE")
            first = _worker(env)
            result = tasks.followups_generate.delay(ON)
            # The rules are in, the SMS step waits on the lock: half-made.
            assert wait_for(lambda: FollowUp.objects.count() == len(expected[0]), 60), first.stdout
            assert wait_for(lambda: _waiting_sessions(cur), 10)
            assert Message.objects.count() == 0
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            # A dead machine's database session goes too: its statement never finishes.
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
        lock.rollback()  # the lock is released
        assert not result.ready()
        started = time.monotonic()
        second = _worker(env)
        made = result.get(timeout=60)
        took = time.monotonic() - started
    finally:
        lock.close()
        _stop(*(p for p in (first, second) if p and p.poll() is None))
    assert keys() == expected  # every task and SMS, once (the lists would hold duplicates)
    assert made == len(expected[1])  # the second run made only the SMS the first had left
    assert took < 60, f"redelivered after {took:.0f} s"


def _waiting_sessions(cur) -> bool:
    cur.execute(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    )
    return cur.fetchone()[0] > 0
