"""Real concurrency on PostgreSQL: a double tap on Submit makes one report, not a 500."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from apps.activities import services
from apps.activities.models import DailyReport, RoutePlan
from conftest import skip_or_fail

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def run_twice(fn):
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            fn()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_two_simultaneous_submissions_of_the_days_report_make_one_report(consultant):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL for two real connections")
    today = timezone.localdate()
    for _ in range(5):
        DailyReport.objects.all().delete()
        errors = run_twice(
            lambda: services.daily_report_save(
                consultant=consultant, date=today, problems="双击", submit=True
            )
        )
        assert errors == []
        report = DailyReport.objects.get()
        assert report.problems == "双击" and report.submitted_at is not None


def test_two_simultaneous_route_plans_for_a_week_make_one_plan(consultant):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL for two real connections")
    errors = run_twice(
        lambda: services.route_plan_get_or_create(consultant=consultant, week_start=timezone.localdate())
    )
    assert errors == [] and RoutePlan.objects.count() == 1
