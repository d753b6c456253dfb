import pytest
from django.core.management import call_command

from apps.dashboard.tests.demo_copy import seed_demo
from apps.scoring.models import PeriodClose, Rating

pytestmark = pytest.mark.django_db


def test_the_demo_has_ratings_and_closed_months_and_a_second_run_changes_nothing(
    django_capture_on_commit_callbacks,
):
    seed_demo()
    ratings, closes = (
        list(Rating.objects.values_list("pk", "progress")),
        list(PeriodClose.objects.values("snapshot")),
    )
    assert len(ratings) == 2 * 6 * 3 and len(closes) == 2 * 2
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    assert list(Rating.objects.values_list("pk", "progress")) == ratings
    assert list(PeriodClose.objects.values("snapshot")) == closes
