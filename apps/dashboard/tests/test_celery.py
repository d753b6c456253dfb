"""A real Celery worker runs the heartbeat through Redis (no eager mode)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from apps.dashboard.models import Heartbeat
from apps.dashboard.tasks import heartbeat
from conftest import skip_or_fail

ROOT = Path(settings.BASE_DIR)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_heartbeat_through_redis():
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        skip_or_fail("needs REDIS_URL and PostgreSQL")
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    db = connection.settings_dict
    env = {
        **os.environ,
        # The worker writes into this test's database.
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DB_CONN_MAX_AGE": "0",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "dealersales",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-n",
            "test-worker@%h",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        result = heartbeat.delay()
        assert result.get(timeout=60) == 1
        beat = Heartbeat.objects.get(name="celery")
        assert beat.worker.startswith("test-worker@")
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.mark.django_db
def test_the_status_page_shows_a_recent_heartbeat(client_as, admin_user, manager):
    from apps.dashboard.services import heartbeat_record

    client = client_as(admin_user)
    assert "No recent heartbeat" in client.get("/dashboard/status/").content.decode()
    heartbeat_record(name="celery", worker="w1@host")
    heartbeat_record(name="celery", worker="w1@host")
    html = client.get("/dashboard/status/").content.decode()
    assert "Running" in html and "w1@host" in html and "(2 in all)" in html
    assert client_as(manager).get("/dashboard/status/").status_code == 403


def test_beat_schedules_the_heartbeat():
    assert settings.CELERY_BEAT_SCHEDULE["heartbeat"]["task"] == "apps.dashboard.tasks.heartbeat"
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
