"""Daily reports, escalations, route plans and monthly summaries through the services."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.activities import selectors, services
from apps.activities.models import ActivitySettings, Escalation

from . import factories as f

pytestmark = pytest.mark.django_db


def yesterday():
    return timezone.localdate() - timedelta(days=1)


def test_a_report_submitted_before_the_cut_off_is_on_time(consultant):
    day = yesterday()
    r = services.daily_report_save(consultant=consultant, date=day, submit=True, now=f.aware(day, 20, 59))
    assert r.on_time is True and r.submitted_at == f.aware(day, 20, 59)


def test_a_report_submitted_after_the_cut_off_is_late(consultant):
    day = yesterday() - timedelta(days=1)
    r = services.daily_report_save(consultant=consultant, date=day, submit=True, now=f.aware(day, 21, 1))
    assert r.on_time is False


def test_the_cut_off_is_a_store_setting(consultant, store):
    ActivitySettings.objects.create(store=store, report_cutoff=time(18, 0))
    day = yesterday()
    assert (
        services.daily_report_save(consultant=consultant, date=day, submit=True, now=f.aware(day, 19)).on_time
        is False
    )


def test_the_first_submission_fixes_the_time_and_later_edits_keep_a_trail(consultant):
    day = yesterday()
    first = services.daily_report_save(
        consultant=consultant, date=day, problems="a", submit=True, now=f.aware(day, 20)
    )
    again = services.daily_report_save(
        consultant=consultant, date=day, problems="b", submit=True, now=f.aware(day + timedelta(days=1), 9)
    )
    assert again.pk == first.pk and again.submitted_at == f.aware(day, 20) and again.on_time is True
    assert list(again.history.order_by("history_date").values_list("problems", flat=True)) == ["a", "b"]


def test_a_draft_is_not_submitted(consultant):
    r = services.daily_report_save(consultant=consultant, date=yesterday(), problems="草稿")
    assert r.submitted_at is None and r.on_time is False


def test_only_a_manager_of_the_store_comments_and_only_on_a_submitted_report(
    consultant, manager, other_manager, consultant2
):
    draft = services.daily_report_save(consultant=consultant, date=yesterday())
    with pytest.raises(ValidationError, match="not been submitted"):
        services.daily_report_comment(report=draft, by=manager, comment="?")
    r = services.daily_report_save(consultant=consultant, date=yesterday(), submit=True)
    for outsider in (other_manager, consultant2):
        with pytest.raises(ValidationError):
            services.daily_report_comment(report=r, by=outsider, comment="x")
    r = services.daily_report_comment(report=r, by=manager, comment="加油")
    assert r.comment_unread is True
    services.daily_report_mark_read(report=r, by=manager)
    assert r.comment_unread is True, "the manager opening it does not mark it read"
    services.daily_report_mark_read(report=r, by=consultant)
    r.refresh_from_db()
    assert r.comment_unread is False
    services.daily_report_comment(report=r, by=manager, comment="再补充一句")
    r.refresh_from_db()
    assert r.comment_unread is True, "a new comment is unread again"


def test_help_needed_becomes_an_escalation_to_the_manager_with_time_to_answer(consultant, manager):
    day = yesterday()
    r = services.daily_report_save(
        consultant=consultant, date=day, help_needed="客户要求再降五千", submit=True, now=f.aware(day, 20)
    )
    e = Escalation.objects.get()
    assert (e.report, e.assigned_to, e.raised_by, e.question) == (r, manager, consultant, "客户要求再降五千")
    assert selectors.escalation_stats(manager)["open"] == 1
    with pytest.raises(ValidationError):
        services.escalation_answer(escalation=e, by=consultant, answer="我自己答")
    services.escalation_answer(escalation=e, by=manager, answer="可以，走特批", now=f.aware(day, 23, 30))
    e.refresh_from_db()
    assert e.hours_to_answer == 3.5
    assert selectors.escalation_stats(manager) == {"open": 0, "answered": 1, "avg_hours": 3.5}
    assert selectors.escalation_stats(consultant)["answered"] == 1


def test_a_report_without_help_needed_raises_no_escalation(consultant, manager):
    services.daily_report_save(consultant=consultant, date=yesterday(), problems="无", submit=True)
    assert not Escalation.objects.exists()


def test_missing_and_late_reports_show_on_the_team_view(manager, consultant, consultant2, store):
    today = timezone.localdate()
    monday = services.week_start_of(today)
    for i in range((today - monday).days):
        day = monday + timedelta(days=i)
        services.daily_report_save(consultant=consultant, date=day, submit=True, now=f.aware(day, 20))
    view = selectors.team_view(manager, today)
    rows = {r.pk: r for r in view["rows"]}
    assert (
        rows[consultant.pk].reports_missing_week
        == rows[consultant.pk].reports_due_week - (today - monday).days
    )
    assert rows[consultant2.pk].reports_on_time_week == 0
    assert rows[consultant2.pk].reports_missing_week == rows[consultant2.pk].reports_due_week


def test_the_team_view_counts_today_and_this_week(manager, consultant, store, other_consultant, other_store):
    c = f.customer(store, consultant)
    now = timezone.now()
    f.visit(consultant, c, start=now - timedelta(minutes=90), minutes=40, expense=20)
    f.visit(consultant, c, start=now - timedelta(days=20), late=True)
    f.visit(other_consultant, f.customer(other_store, other_consultant))
    view = selectors.team_view(manager)
    rows = {r.pk: r for r in view["rows"]}
    assert other_consultant.pk not in rows
    row = rows[consultant.pk]
    if timezone.localtime(now - timedelta(minutes=90)).date() == timezone.localdate():
        assert (row.visits_today, row.minutes_today, row.expense_today) == (1, 40, 20)
    assert (row.visits_30, row.late_30) == (2, 1) and row.late_rate_30 == 0.5


def test_a_route_stop_must_be_in_the_week_and_one_of_my_customers(consultant, consultant2, store):
    monday = services.week_start_of(timezone.localdate())
    plan = services.route_plan_get_or_create(consultant=consultant, week_start=monday + timedelta(days=2))
    assert plan.week_start == monday
    mine, theirs = f.customer(store, consultant), f.customer(store, consultant2)
    with pytest.raises(ValidationError) as err:
        services.planned_visit_add(plan=plan, by=consultant, date=monday + timedelta(days=8), customer=theirs)
    assert set(err.value.message_dict) == {"date", "customer"}
    services.planned_visit_add(plan=plan, by=consultant, date=monday, customer=mine)
    with pytest.raises(ValidationError, match="already planned"):
        services.planned_visit_add(plan=plan, by=consultant, date=monday, customer=mine)
    with pytest.raises(ValidationError):
        services.planned_visit_add(plan=plan, by=consultant2, date=monday, customer=mine)


def test_adherence_counts_planned_visits_actually_done_even_if_entered_late(consultant, store):
    monday = services.week_start_of(timezone.localdate()) - timedelta(days=7)
    plan = services.route_plan_get_or_create(consultant=consultant, week_start=monday)
    a, b = f.customer(store, consultant), f.customer(store, consultant)
    services.planned_visit_add(plan=plan, by=consultant, date=monday, customer=a)
    services.planned_visit_add(plan=plan, by=consultant, date=monday + timedelta(days=1), customer=b)
    f.visit(consultant, a, start=f.aware(monday, 10), late=True)
    f.visit(consultant, b, start=f.aware(monday + timedelta(days=2), 10))  # the wrong day
    stops = list(selectors.route_plan_stops(plan))
    assert [s.done for s in stops] == [True, False] and selectors.adherence(stops) == 0.5
    annotated = selectors.with_adherence(type(plan).objects.filter(pk=plan.pk)).get()
    assert (annotated.planned, annotated.done) == (2, 1)


def test_a_monthly_summary_needs_both_parts_and_is_one_per_month(consultant):
    month = timezone.localdate().replace(day=15)
    with pytest.raises(ValidationError) as err:
        services.monthly_summary_save(consultant=consultant, month=month, summary=" ", key_points="")
    assert set(err.value.message_dict) == {"summary", "key_points"}
    s1 = services.monthly_summary_save(
        consultant=consultant, month=month, summary="成交8台", key_points="冲刺SUV"
    )
    s2 = services.monthly_summary_save(
        consultant=consultant, month=month, summary="成交9台", key_points="冲刺SUV"
    )
    assert s1.pk == s2.pk and s2.month.day == 1 and s2.summary == "成交9台"
    with pytest.raises(ValidationError) as err:
        services.monthly_summary_save(
            consultant=consultant, month=month + timedelta(days=40), summary="x", key_points="y"
        )
    assert "month" in err.value.message_dict


def test_market_tags_are_normalised():
    assert services.normalise_tags("降价, SUV，#金融 降价") == ",降价,suv,金融,"
    assert services.normalise_tags(["A", " b "]) == ",a,b,"
    assert services.normalise_tags("") == ""
