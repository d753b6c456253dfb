"""The jobs through a real Celery worker and beat on Redis (no eager mode).

Beat is started with two schedule entries for the same day firing every second: the
job is triggered twice at the same time, again and again, and a worker with two
threads runs the copies concurrently. Every task still exists once.
"""

import os
import subprocess
import sys
import textwrap
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from apps.aftersales import tasks
from apps.aftersales.models import FollowUp, Message
from conftest import skip_or_fail

from .factories import deliver

ROOT = Path(settings.BASE_DIR)
ON = "2026-01-25"


def _env() -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}"
        f"@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DB_CONN_MAX_AGE": "0",
    }


def _worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "dealersales",
            "worker",
            "--pool=threads",
            "--concurrency=2",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-n",
            "aftersales-test@%h",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _beat(env: dict[str, str], schedule_file: Path) -> subprocess.Popen:
    script = textwrap.dedent(f"""
        import django
        django.setup()
        from dealersales.celery import app
        job = "apps.aftersales.tasks.followups_generate"
        app.conf.beat_schedule = {{
            "generate-a": {{"task": job, "schedule": 1.0, "args": ["{ON}"]}},
            "generate-b": {{"task": job, "schedule": 1.0, "args": ["{ON}"]}},
        }}
        app.Beat(schedule={str(schedule_file)!r}, loglevel="WARNING", max_interval=1).run()
    """)
    return subprocess.Popen(  # noqa: S603 (our own script, no outside input)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(*procs: subprocess.Popen) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_and_beat_make_every_task_once_when_triggered_twice_at_once(
    store, consultant, tmp_path
):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        skip_or_fail("needs REDIS_URL and PostgreSQL")
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    for d in range(60):
        deliver(store=store, consultant=consultant, delivered_on=date(2025, 12, 1) + timedelta(days=d))
    env = _env()
    worker = _worker(env)
    beat = None
    try:
        # Two triggers at the same moment straight through the broker.
        results = [tasks.followups_generate.delay(ON), tasks.followups_generate.delay(ON)]
        made = [r.get(timeout=60) for r in results]
        first = sorted(FollowUp.objects.values_list("vehicle", "rule", "due_date"))
        assert first and sum(made) == len(first) + Message.objects.count()
        # Start again from nothing, with beat firing two entries for the day every second:
        # what appears now was made by beat through the worker.
        FollowUp.objects.all().delete()
        beat = _beat(env, tmp_path / "beat-schedule")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and FollowUp.objects.count() < len(first):
            time.sleep(0.5)
        time.sleep(3)  # more rounds of two concurrent runs
    finally:
        _stop(*(p for p in (beat, worker) if p))
    keys = sorted(FollowUp.objects.values_list("vehicle", "rule", "due_date"))
    assert keys == first, (beat.stdout.read() if beat and beat.stdout else "")[-2000:]
    assert len(keys) == len(set(keys))


def test_the_beat_schedule_and_worker_settings_are_as_documented():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["followups-generate"]["task"] == "apps.aftersales.tasks.followups_generate"
    assert schedule["messages-send"]["task"] == "apps.aftersales.tasks.messages_send"
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert tasks.followups_generate.acks_late and tasks.followups_generate.reject_on_worker_lost


@pytest.mark.django_db
def test_the_tasks_take_dates_and_run_the_services(store, consultant, outbox):
    deliver(store=store, consultant=consultant, delivered_on=date(2025, 3, 2))
    assert tasks.followups_generate.apply(args=["2026-03-02"]).get() == 3  # anniversary, SMS, lapsed call
    sent = tasks.messages_send.apply(args=["2026-03-02"]).get()
    assert set(sent) == {"sent", "failed", "skipped", "deferred"}
