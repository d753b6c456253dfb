"""The daily report's money and the list of reports (issue 12: one attribution, the day's figures)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.activities import selectors

from . import factories as f

pytestmark = pytest.mark.django_db


def test_money_collected_counts_for_the_receivables_responsible_not_the_customers_owner(
    consultant, consultant2, manager, store
):
    """Scoring and plan tracking credit the receivable's responsible consultant; so does the report."""
    c = f.customer(store, consultant)
    today = timezone.localdate()
    f.sale(c, consultant2, today, 100000)  # consultant2 booked it: he is responsible
    f.pay(c, today, 40000, manager)
    assert selectors.day_figures(consultant2, today).payments_total == 40000
    assert selectors.day_figures(consultant, today).payments_total == 0
    f.report(consultant2, today)
    f.report(consultant, today)
    rows = {r.consultant_id: r for r in selectors.with_day_figures(f.DailyReport.objects.all())}
    assert rows[consultant2.pk].payments_total == 40000 and rows[consultant.pk].payments_total == 0


def test_the_reports_list_shows_the_days_orders_and_money(client_as, consultant, manager, store):
    c = f.customer(store, consultant)
    today = timezone.localdate()
    f.sale(c, consultant, today, 100000)
    f.pay(c, today, 25000, manager)
    f.report(consultant, today, submitted_at=timezone.now())
    row = client_as(manager).get("/activities/reports/").context["object_list"][0]
    assert (row.orders_count, row.payments_total) == (1, 25000)


def test_the_reports_list_names_who_has_not_submitted_for_the_day(
    client_as, consultant, consultant2, manager, store
):
    today = timezone.localdate()
    f.report(consultant, today, submitted_at=timezone.now())
    f.report(consultant2, today)  # a draft is not a submission
    response = client_as(manager).get("/activities/reports/")
    assert [u.pk for u in response.context["missing"]] == [consultant2.pk]
    assert 'data-testid="missing-reports"' in response.content.decode()
    yesterday = (today - timedelta(days=1)).isoformat()
    earlier = client_as(manager).get(f"/activities/reports/?date_to={yesterday}")
    assert {u.pk for u in earlier.context["missing"]} == {consultant.pk, consultant2.pk}


def test_a_consultant_sees_no_one_elses_missing_reports(client_as, consultant):
    assert client_as(consultant).get("/activities/reports/").context["missing"] is None
