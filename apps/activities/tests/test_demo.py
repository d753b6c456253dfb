"""The demo seed: three months of activity, realistic gaps, idempotent."""

import pytest
from django.core.management import call_command

from apps.activities.models import DailyReport, Escalation, MarketReport, MonthlySummary, PlannedVisit, Visit
from apps.dashboard.tests.demo_copy import seed_demo

pytestmark = pytest.mark.django_db

MODELS = (Visit, DailyReport, PlannedVisit, MarketReport, MonthlySummary, Escalation)


def test_the_demo_has_three_months_of_honest_looking_activity_and_a_second_run_changes_nothing():
    seed_demo()
    counts = [m.objects.count() for m in MODELS]
    visits = Visit.objects.count()
    late_share = Visit.objects.filter(late=True).count() / visits
    assert visits > 1000 and 0.02 < late_share < 0.2
    first, last = Visit.objects.order_by("started_at").first(), Visit.objects.order_by("started_at").last()
    assert (last.started_at - first.started_at).days >= 85
    reports = DailyReport.objects.count()
    assert 0.6 < DailyReport.objects.filter(on_time=True).count() / reports < 0.95
    assert all(c > 0 for c in counts)
    call_command("seed_demo", stdout=None)
    assert [m.objects.count() for m in MODELS] == counts
