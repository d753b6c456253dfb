"""Daily targets: a week (or month) broken down into the store's working days, weighted
by weekday, tracked like every node, shown on the consultant's My day."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.activities.models import Visit
from apps.plans import selectors, services
from apps.plans.models import ClosedDay, Target, WorkCalendar

from .factories import customer, make_plan, order, root

# ISO week 2026-W12: Monday 16 March … Sunday 22 March.
MONDAY = date(2026, 3, 16)


def _week_node(store, manager, consultant, measure="visits", value=None):
    """The consultant's node for week 2026-W12 (a week of 7 days) of `measure`."""
    plan = make_plan(store, manager, year=2026)
    people = services.target_break_down(
        node=root(plan, measure), into="consultant", method="even", by=manager
    )
    mine = next(p for p in people if p.scope_id == consultant.pk)
    months = services.target_break_down(node=mine, into="month", method="even", by=manager)
    weeks = services.target_break_down(node=months[2], into="week", method="even", by=manager)
    week = next(w for w in weeks if w.key == "2026-W12")
    if value is not None:
        services.target_set_value(target=week, value=value, by=manager)
        week.refresh_from_db()
    return plan, week


def test_a_week_splits_into_its_days_by_the_default_weekday_weights(store, manager, consultant):
    """Default: Monday–Friday 1, Saturday and Sunday 1.5 (showrooms are busiest then)."""
    _plan, week = _week_node(store, manager, consultant, value=32)
    days = services.target_break_down(node=week, into="day", method="weights", by=manager)
    assert [d.key for d in days] == [(MONDAY + timedelta(days=i)).isoformat() for i in range(7)]
    assert all(d.period_kind == "day" and d.period_start == d.period_end for d in days)
    assert all(d.consultant_id == consultant.pk for d in days)
    # 32 over weights 1,1,1,1,1,1.5,1.5 (sum 8): 4 a weekday, 6 at the weekend.
    assert [d.value for d in days] == [4, 4, 4, 4, 4, 6, 6]
    assert sum(d.value for d in days) == week.value


def test_closed_weekdays_and_closed_dates_get_no_daily_target(store, manager, consultant):
    services.work_calendar_set(
        store=store, weights={"1": 0, "2": 1, "3": 1, "4": 1, "5": 1, "6": 2, "7": 2}, by=manager
    )
    services.closed_day_add(store=store, day=MONDAY + timedelta(days=2), reason="盘点", by=manager)
    _plan, week = _week_node(store, manager, consultant, value=14)
    days = services.target_break_down(node=week, into="day", method="weights", by=manager)
    # Tuesday, Thursday, Friday at 1 and the weekend at 2: 14 / 7 = 2 a weight.
    assert [d.period_start.isoweekday() for d in days] == [2, 4, 5, 6, 7]
    assert [d.value for d in days] == [2, 2, 2, 4, 4]
    even = services.target_break_down(node=week, into="day", method="even", by=manager)
    assert [d.value for d in even] == [3, 3, 3, 3, 2]  # even over the working days only


def test_weights_by_weekday_or_by_date_and_missing_ones_are_refused(store, manager, consultant):
    _plan, week = _week_node(store, manager, consultant, value=7)
    by_weekday = {str(i): 1 for i in range(1, 8)}
    days = services.target_break_down(node=week, into="day", method="weights", weights=by_weekday, by=manager)
    assert [d.value for d in days] == [1] * 7
    by_date = {(MONDAY + timedelta(days=i)).isoformat(): (7 if i == 0 else 0) for i in range(7)}
    days = services.target_break_down(node=week, into="day", method="weights", weights=by_date, by=manager)
    assert [d.value for d in days] == [7, 0, 0, 0, 0, 0, 0]
    with pytest.raises(ValidationError, match="weekdays: 6, 7"):
        services.target_break_down(
            node=week, into="day", method="weights", weights={str(i): 1 for i in range(1, 6)}, by=manager
        )
    assert week.children.count() == 7  # the refused breakdown left the last one alone


def test_a_week_of_closed_days_cannot_be_broken_into_days(store, manager, consultant):
    for i in range(7):
        ClosedDay.objects.create(store=store, date=MONDAY + timedelta(days=i), reason="春节")
    _plan, week = _week_node(store, manager, consultant)
    with pytest.raises(ValidationError, match="no working days"):
        services.target_break_down(node=week, into="day", method="even", by=manager)


def test_a_day_cannot_be_split_into_weeks_and_a_calendar_needs_an_open_day(store, manager, consultant):
    _plan, week = _week_node(store, manager, consultant)
    day = services.target_break_down(node=week, into="day", method="even", by=manager)[0]
    with pytest.raises(ValidationError):
        services.target_break_down(node=day, into="week", method="even", by=manager)
    with pytest.raises(ValidationError, match="at least one weekday"):
        services.work_calendar_set(store=store, weights={str(i): 0 for i in range(1, 8)}, by=manager)
    with pytest.raises(ValidationError):
        services.work_calendar_set(store=store, weights={"1": "-1"}, by=manager)
    assert not WorkCalendar.objects.exists()


def test_another_stores_manager_cannot_change_the_calendar(store, other_manager):
    with pytest.raises(ValidationError):
        services.work_calendar_set(store=store, weights={"1": 1}, by=other_manager)
    with pytest.raises(ValidationError):
        services.closed_day_add(store=store, day=MONDAY, reason="", by=other_manager)


def _visit(consultant, store, day, n=1):
    c = customer(store, consultant)
    for i in range(n):
        at = timezone.make_aware(datetime.combine(day, time(10 + i)))
        Visit.objects.create(
            store=store, consultant=consultant, customer=c, channel="showroom", started_at=at, ended_at=at
        )


def test_a_day_target_is_in_progress_today_and_judged_once_the_day_is_over(store, manager, consultant):
    _plan, week = _week_node(store, manager, consultant, value=32)
    days = services.target_break_down(node=week, into="day", method="weights", by=manager)
    monday, tuesday = days[0], days[1]
    _visit(consultant, store, MONDAY, n=3)
    today = selectors.tracked([monday], store, MONDAY)[monday.pk]
    assert today.actual == 3 and today.status is None and today.in_progress  # 3 of 4, day not over
    after = selectors.tracked([monday], store, MONDAY + timedelta(days=1))[monday.pk]
    assert after.status == "red" and not after.in_progress  # 3 of 4 is 75%: behind
    _visit(consultant, store, MONDAY + timedelta(days=1), n=4)
    met = selectors.tracked([tuesday], store, MONDAY + timedelta(days=1))[tuesday.pk]
    assert met.status == "green"


def test_my_today_shows_todays_targets_to_the_consultant_on_his_my_day(
    client_as, store, manager, consultant, consultant2, admin_user, django_assert_num_queries
):
    today = timezone.localdate()
    plan = make_plan(store, manager, year=today.year, units=365 * 2, visits=3650)
    for measure in ("units", "visits"):
        people = services.target_break_down(
            node=root(plan, measure), into="consultant", method="even", by=manager
        )
        mine = next(p for p in people if p.scope_id == consultant.pk)
        weeks = services.target_break_down(node=mine, into="week", method="even", by=manager)
        week = next(w for w in weeks if w.period_start <= today <= w.period_end)
        services.target_break_down(node=week, into="day", method="even", by=manager)
    services.plan_submit(plan=plan, by=manager)
    services.plan_approve(plan=plan, by=admin_user)
    order(consultant, store, today)
    mine_today = Target.objects.get(
        consultant=consultant, period_kind="day", period_start=today, measure="units"
    )
    c = client_as(consultant)
    # session + user (2), the day's targets (1), orders (1) and visits (1) grouped rows.
    with django_assert_num_queries(5):
        res = c.get(reverse("plans:my_today"), HTTP_HX_REQUEST="true")
    html = res.content.decode()
    assert res.status_code == 200 and 'data-testid="my-today"' in html and "<html" not in html
    assert f"<strong>1</strong> / {int(mine_today.value)}" in html
    assert 'data-measure="visits"' in html
    headline = html.split('data-testid="today-headline"')[1].split("</p>")[0]
    assert "Visits" in headline and "Units sold" in headline
    page = c.get(reverse("customers:my_day")).content.decode()
    assert reverse("plans:my_today") in page
    other = client_as(consultant2).get(reverse("plans:my_today")).content.decode()
    assert 'data-testid="today-target"' not in other  # his own targets only


def test_the_calendar_page_sets_weights_and_closed_days_for_the_managers_store_only(
    client_as, store, other_store, manager
):
    c = client_as(manager)
    assert c.get(reverse("plans:calendar")).status_code == 200
    assert c.get(reverse("plans:calendar"), {"store": other_store.pk}).status_code == 404
    url = reverse("plans:calendar")
    weights = {f"w{i}": "1" for i in range(1, 8)} | {"w7": "0"}
    c.post(url, {"store": store.pk, "action": "weights", **weights})
    assert WorkCalendar.objects.get(store=store).weights()["7"] == 0
    c.post(url, {"store": store.pk, "action": "weights", "w1": "abc"})  # refused with a message
    assert WorkCalendar.objects.get(store=store).weights()["1"] == 1
    c.post(url, {"store": store.pk, "action": "close", "date": "2027-02-06", "reason": "除夕"})
    c.post(url, {"store": store.pk, "action": "close", "date": "not a date"})
    assert list(ClosedDay.objects.values_list("date", "reason")) == [(date(2027, 2, 6), "除夕")]
    c.post(url, {"store": other_store.pk, "action": "close", "date": "2027-02-07"})
    assert ClosedDay.objects.count() == 1
    day = ClosedDay.objects.get()
    c.post(url, {"store": store.pk, "action": "open", "closed_day": day.pk})
    assert not ClosedDay.objects.exists()


def test_a_consultant_cannot_open_the_calendar_page(client_as, consultant):
    assert client_as(consultant).get(reverse("plans:calendar")).status_code in (302, 403)


def test_the_api_breaks_a_week_into_days_without_new_required_fields(client_as, store, manager, consultant):
    plan, week = _week_node(store, manager, consultant, value=32)
    res = client_as(manager).post(
        f"/api/v1/plans/{plan.pk}/break-down/",
        {"node": week.pk, "into": "day", "method": "weights"},
        content_type="application/json",
    )
    assert res.status_code == 201, res.content
    body = res.json()
    assert [c["value"] for c in body][:1] and len(body) == 7
    assert Decimal(str(body[5]["value"])) == 6
