"""Redis stopped under a running portal, worker and beat: pages are served, managers see
that jobs are delayed, a job asked for meanwhile is kept, and it runs once Redis is back
(the worker and beat reconnect by themselves).

Everything is real: a redis-server of the test's own on a free port, the portal in
`manage.py runserver`, a Celery worker and beat (the kept-jobs sender every second
instead of every minute) on that Redis, and the test database.
"""

import http.cookiejar
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.aftersales.models import FollowUp
from apps.aftersales.tests.factories import deliver
from apps.aftersales.tests.test_celery import _env, _stop
from apps.org.models import PendingJob
from conftest import skip_or_fail

ROOT = Path(settings.BASE_DIR)
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(port: int, tmp: Path) -> subprocess.Popen:
    proc = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert wait_for(lambda: _answers(port), 10), "redis-server did not start"
    return proc


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def wait_for(check: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.25)
    return False


def spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 (our own commands)
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


BEAT = textwrap.dedent("""
    import django
    django.setup()
    from dealersales.celery import app
    app.conf.beat_schedule = {"send": {"task": "apps.org.tasks.pending_jobs_send", "schedule": 1.0}}
    app.Beat(schedule=SCHEDULE, loglevel="WARNING", max_interval=1).run()
""")


class Browser:
    """urllib with cookies: the portal as a signed-in manager sees it."""

    def __init__(self, base: str, session: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        host = base.split("//")[1].split(":")[0]
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                0,
                settings.SESSION_COOKIE_NAME,
                session,
                None,
                False,
                host,
                False,
                False,
                "/",
                True,
                False,
                None,
                False,
                None,
                None,
                {},
            )
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=20) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def post_form(self, page: str, action: str) -> tuple[int, str]:
        status, html = self.get(page)
        assert status == 200, html[-500:]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1)}).encode()
        url, referer = self.base + action, self.base + page
        request = urllib.request.Request(url, data=data, headers={"Referer": referer})  # noqa: S310 (our server)
        try:
            with self.opener.open(request, timeout=20) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()


def test_with_redis_stopped_pages_are_served_and_the_jobs_asked_for_run_when_it_is_back(
    store, manager, consultant, client, tmp_path
):
    if not settings.REDIS_URL or connection.vendor != "postgresql" or not shutil.which("redis-server"):
        skip_or_fail("needs REDIS_URL, PostgreSQL and redis-server")
    deliver(store=store, consultant=consultant, delivered_on=timezone.localdate() - timedelta(days=7))
    client.force_login(manager)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    redis_port, web_port = free_port(), free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = {**_env(), "REDIS_URL": redis_url, "DEBUG": "false", "BROKER_CHECK_SECONDS": "1"}
    redis = start_redis(redis_port, tmp_path)
    web = spawn(["manage.py", "runserver", f"127.0.0.1:{web_port}", "--noreload", "--nothreading"], env)
    worker = beat = None
    try:
        browser = Browser(f"http://127.0.0.1:{web_port}", session)
        assert wait_for(lambda: _answers_http(web_port), 30), "the portal did not start"
        # A worker and beat that run through the outage.
        worker = spawn(
            [
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
                "redis-down@%h",
                "--loglevel=WARNING",
            ],
            env,
        )
        beat = spawn(["-c", BEAT.replace("SCHEDULE", repr(str(tmp_path / "beat")))], env)
        status, html = browser.get("/dashboard/")
        assert status == 200 and 'data-testid="jobs-delayed"' not in html
        # Redis answers: a job goes straight to the worker.
        status, html = browser.post_form("/aftersales/rules/", "/aftersales/rules/generate-now/")
        assert status == 200 and not PendingJob.objects.exists()
        assert wait_for(lambda: FollowUp.objects.exists(), 30), worker.poll()
        FollowUp.objects.all().delete()

        _stop(redis)
        time.sleep(1.5)  # past the portal's last broker check
        status, html = browser.get("/dashboard/")
        assert status == 200, html[-1000:]
        assert 'data-testid="jobs-delayed"' in html  # the manager is told
        status, html = browser.get("/customers/")
        assert status == 200
        # A job asked for while Redis is down: the page answers, the job is kept.
        status, html = browser.post_form("/aftersales/rules/", "/aftersales/rules/generate-now/")
        assert status == 200, html[-1000:]
        assert list(PendingJob.objects.values_list("task", flat=True)) == [
            "apps.aftersales.tasks.followups_generate"
        ]
        assert not FollowUp.objects.exists()

        redis = start_redis(redis_port, tmp_path)  # back, on the same address
        assert wait_for(lambda: FollowUp.objects.exists() and not PendingJob.objects.exists(), 45), (
            worker.poll(),
            beat.poll(),
        )
        time.sleep(1.5)
        status, html = browser.get("/dashboard/")
        assert status == 200 and 'data-testid="jobs-delayed"' not in html
    finally:
        _stop(*(p for p in (beat, worker, web, redis) if p and p.poll() is None))
    assert FollowUp.objects.filter(rule="post_sale_7d").count() == 1


def _answers_http(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=1)
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
