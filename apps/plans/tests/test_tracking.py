from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.org.roles import Role
from apps.org.tests.factories import UserFactory
from apps.plans import selectors, services
from apps.plans.models import Measure

from .factories import collection, customer, make_plan, order, reverse, root, vehicle_model, visit

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _tracking(plan, today):
    return {n.target.pk: n for n in _walk(selectors.plan_tree(plan, today))}


def _walk(nodes):
    for n in nodes:
        yield n
        yield from _walk(n.children)


def test_sales_actuals_count_orders_by_consultant_model_and_month_and_skip_cancelled(
    store, manager, consultant, consultant2
):
    suv, sedan = vehicle_model("suv"), vehicle_model("sedan")
    order(consultant, store, date(2026, 3, 2), suv, amount="200000.00", cost="180000.00")
    order(consultant, store, date(2026, 3, 31), sedan, amount="100000.00", cost="95000.00")
    order(consultant2, store, date(2026, 3, 15), suv)
    order(consultant, store, date(2026, 4, 1), suv)  # another month
    order(consultant, store, date(2026, 3, 3), suv, status="cancelled", cancel_reason="changed mind")
    plan = make_plan(store, manager, year=2026)
    for measure in ("units", "revenue", "gross_profit"):
        months = services.target_break_down(node=root(plan, measure), into="month", method="even", by=manager)
        people = services.target_break_down(node=months[2], into="consultant", method="even", by=manager)
        mine = next(p for p in people if p.scope_id == consultant.pk)
        services.target_break_down(node=mine, into="body_type", method="even", by=manager)
    nodes = _tracking(plan, date(2026, 6, 30))

    def actual(measure, **kw):
        t = plan.targets.get(measure=measure, **kw)
        return nodes[t.pk].tracking.actual

    assert actual("units", parent=None) == 4
    assert actual("units", period_kind="month", scope_type="store", key="3") == 3
    assert actual("units", scope_type="consultant", scope_id=consultant.pk) == 2
    assert actual("units", scope_type="body_type", scope_code="suv") == 1
    assert actual("revenue", scope_type="consultant", scope_id=consultant.pk) == Decimal("300000.00")
    assert actual("gross_profit", scope_type="body_type", scope_code="sedan") == Decimal("5000.00")


def test_collections_net_out_counter_entries_and_follow_the_responsible_consultant(
    store, manager, consultant, consultant2, finance
):
    o1 = order(consultant, store, date(2026, 2, 1))
    o2 = order(consultant2, store, date(2026, 2, 1))
    collection(o1, "30000.00", date(2026, 2, 10), finance)
    wrong = collection(o1, "5000.00", date(2026, 2, 11), finance)
    reverse(wrong, date(2026, 2, 12), finance)
    collection(o2, "7000.00", date(2026, 3, 1), finance)
    plan = make_plan(store, manager, year=2026)
    months = services.target_break_down(
        node=root(plan, "collections"), into="month", method="even", by=manager
    )
    people = services.target_break_down(node=months[1], into="consultant", method="even", by=manager)
    nodes = _tracking(plan, date(2026, 12, 31))
    assert nodes[root(plan, "collections").pk].tracking.actual == Decimal("37000.00")
    assert nodes[months[1].pk].tracking.actual == Decimal("30000.00")
    mine = next(p for p in people if p.scope_id == consultant.pk)
    theirs = next(p for p in people if p.scope_id == consultant2.pk)
    assert nodes[mine.pk].tracking.actual == Decimal("30000.00")
    assert nodes[theirs.pk].tracking.actual == Decimal(0)


def test_a_new_customer_counts_in_the_month_of_his_first_live_order(store, manager, consultant):
    old = customer(store, consultant)
    order(consultant, store, date(2025, 12, 20), cust=old)
    order(consultant, store, date(2026, 1, 5), cust=old)  # not new in 2026
    fresh = customer(store, consultant)
    order(consultant, store, date(2026, 1, 3), cust=fresh, status="cancelled", cancel_reason="x")
    order(consultant, store, date(2026, 2, 7), cust=fresh)  # first live order: February
    plan = make_plan(store, manager, year=2026)
    months = services.target_break_down(
        node=root(plan, "new_customers"), into="month", method="even", by=manager
    )
    nodes = _tracking(plan, date(2026, 12, 31))
    assert [nodes[m.pk].tracking.actual for m in months[:3]] == [0, 1, 0]


def test_visits_count_by_the_local_date_in_shanghai(store, manager, consultant):
    # 23:30 UTC on 31 January is 07:30 on 1 February in Shanghai.
    visit(consultant, store, datetime(2026, 1, 31, 23, 30, tzinfo=ZoneInfo("UTC")))
    visit(consultant, store, datetime.combine(date(2026, 1, 31), time(22, 0), SH))
    plan = make_plan(store, manager, year=2026)
    months = services.target_break_down(node=root(plan, "visits"), into="month", method="even", by=manager)
    nodes = _tracking(plan, date(2026, 12, 31))
    assert [nodes[m.pk].tracking.actual for m in months[:2]] == [1, 1]


def test_a_team_node_counts_its_members(store, team, manager, consultant, consultant2):
    outsider = UserFactory(username="outsider", role=Role.CONSULTANT, stores=[store])
    order(consultant, store, date(2026, 5, 5))
    order(outsider, store, date(2026, 5, 5))
    plan = make_plan(store, manager, year=2026)
    teams = services.target_break_down(node=root(plan, "units"), into="team", method="even", by=manager)
    nodes = _tracking(plan, date(2026, 12, 31))
    assert nodes[teams[0].pk].tracking.actual == 1
    assert nodes[root(plan, "units").pk].tracking.actual == 2


def test_tracking_figures_and_the_status_rule():
    start, end = date(2026, 1, 1), date(2026, 1, 10)
    # Day 5 of 10: half the time gone.
    on_pace = selectors.track(Decimal(100), Decimal(50), start, end, date(2026, 1, 5))
    assert on_pace.time_elapsed == 0.5 and on_pace.achievement == 0.5
    assert on_pace.projection == Decimal("100.00") and on_pace.status == "green" and on_pace.gap == 50
    assert (
        selectors.track(Decimal(100), Decimal(46), start, end, date(2026, 1, 5)).status == "amber"
    )  # pace 92%
    assert (
        selectors.track(Decimal(100), Decimal(44), start, end, date(2026, 1, 5)).status == "red"
    )  # pace 88%
    assert (
        selectors.track(Decimal(100), Decimal(0), start, end, date(2025, 12, 31)).status is None
    )  # not started
    done = selectors.track(Decimal(100), Decimal(120), start, end, date(2026, 2, 1))
    assert done.projection == Decimal("120.00") and done.achievement == 1.2 and done.gap == -20
    assert selectors.track(Decimal(0), Decimal(0), start, end, date(2026, 1, 5)).achievement is None


def test_on_the_first_of_the_month_nobody_is_behind_yet():
    """0 of 1 car on day 1 was red "Behind" for every consultant."""
    start, end = date(2026, 3, 1), date(2026, 3, 31)
    one_car = selectors.track(Decimal(1), Decimal(0), start, end, date(2026, 3, 1), integer=True)
    assert one_car.status == "green" and one_car.expected == Decimal("0.03")
    # Money short of expected on day 1: too early for a colour, not "Behind".
    money = selectors.track(Decimal(310000), Decimal(0), start, end, date(2026, 3, 1))
    assert money.status is None and money.early is True and money.expected == Decimal("10000.00")
    # Past the grace the same shortfall is red; a count one whole unit short is no longer on track.
    assert selectors.track(Decimal(310000), Decimal(0), start, end, date(2026, 3, 10)).status == "red"
    assert (
        selectors.track(Decimal(31), Decimal(9), start, end, date(2026, 3, 10), integer=True).status
        == "amber"
    )
    assert (
        selectors.track(Decimal(3), Decimal(0), start, end, date(2026, 3, 20), integer=True).status == "red"
    )
    assert (
        selectors.track(Decimal(3), Decimal(1), start, end, date(2026, 3, 20), integer=True).status == "green"
    )


def test_over_achievement_reads_ahead_by_not_a_negative_gap():
    from apps.plans.templatetags.plans_extras import gap_label, tracking_label

    start, end = date(2026, 3, 1), date(2026, 3, 31)
    over = selectors.track(Decimal(100), Decimal(189), start, end, date(2026, 3, 31), integer=True)
    assert over.ahead == 89 and gap_label(over, "units") == "ahead by 89"
    short = selectors.track(Decimal(100), Decimal(60), start, end, date(2026, 3, 31), integer=True)
    assert short.ahead is None and gap_label(short, "units") == "40"
    early = selectors.track(Decimal(1000), Decimal(0), start, end, date(2026, 3, 1))
    assert tracking_label(early) == "Too early to tell"


def test_a_plan_of_12_months_by_12_consultants_by_6_measures_costs_a_fixed_number_of_queries(store, manager):
    people = [UserFactory(username=f"c{i}", role=Role.CONSULTANT, stores=[store]) for i in range(12)]
    model = vehicle_model()
    for i, person in enumerate(people):
        o = order(person, store, date(2026, 1 + i, 10), model)
        collection(o, "1000.00", date(2026, 1 + i, 11), manager)
        visit(person, store, date(2026, 1 + i, 12))
    plan = make_plan(store, manager, year=2026)
    for measure in Measure.values:
        months = services.target_break_down(node=root(plan, measure), into="month", method="even", by=manager)
        for m in months:
            services.target_break_down(node=m, into="consultant", method="even", by=manager)
    assert plan.targets.count() == 6 * (1 + 12 + 12 * 12)
    with CaptureQueriesContext(connection) as ctx:
        tree = selectors.plan_tree(plan, date(2026, 12, 31))
    # targets + team map + sales + collections + new customers + visits: never per node.
    assert len(ctx) == 6
    units = next(r for r in tree if r.target.measure == "units")
    assert units.tracking.actual == 12
    assert [n.tracking.actual for n in units.children] == [1] * 12
    assert sum(c.tracking.actual for c in units.children[4].children) == 1


def test_my_targets_are_this_months_and_this_weeks_for_the_signed_in_consultant(
    store, manager, consultant, consultant2, admin_user
):
    today = date(2026, 3, 18)
    order(consultant, store, today - timedelta(days=1))
    plan = make_plan(store, manager, year=2026)
    people = services.target_break_down(
        node=root(plan, "units"), into="consultant", method="even", by=manager
    )
    mine = next(p for p in people if p.scope_id == consultant.pk)
    months = services.target_break_down(node=mine, into="month", method="even", by=manager)
    services.target_break_down(node=months[2], into="week", method="even", by=manager)
    assert selectors.my_targets(consultant, today) == {"month": [], "week": []}  # not approved yet
    services.plan_submit(plan=plan, by=manager)
    services.plan_approve(plan=plan, by=admin_user)
    got = selectors.my_targets(consultant, today)
    assert [t.period_start for t, _ in got["month"]] == [date(2026, 3, 1)]
    assert got["month"][0][1].actual == 1
    assert [t.period_start for t, _ in got["week"]] == [date(2026, 3, 16)]
    assert selectors.my_targets(consultant2, today) == {"month": [], "week": []}


def test_consultant_targets_for_scoring_sum_the_months_without_double_counting(
    store, manager, consultant, consultant2, admin_user
):
    plan = make_plan(store, manager, year=2026, units=240)
    months = services.target_break_down(node=root(plan, "units"), into="month", method="even", by=manager)
    for m in months:
        services.target_break_down(node=m, into="consultant", method="even", by=manager)
    mine_march = plan.targets.get(
        scope_type="consultant", scope_id=consultant.pk, period_start=date(2026, 3, 1)
    )
    services.target_break_down(node=mine_march, into="week", method="even", by=manager)
    assert (
        selectors.consultant_targets(
            consultant_ids=[consultant.pk], start=date(2026, 3, 1), end=date(2026, 3, 31)
        )
        == {}
    )
    services.plan_submit(plan=plan, by=manager)
    services.plan_approve(plan=plan, by=admin_user)
    got = selectors.consultant_targets(
        consultant_ids=[consultant.pk, consultant2.pk], start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    assert got == {(consultant.pk, "units"): 10, (consultant2.pk, "units"): 10}
    year = selectors.consultant_targets(
        consultant_ids=[consultant.pk], start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    assert year == {(consultant.pk, "units"): 120}  # 12 months × 10; March's weeks not added again
