from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.plans import services
from apps.plans.models import Capability, PlanRevision, Target, WeightSet
from apps.plans.services import distribute

from .factories import make_plan, order, root, vehicle_model

weights_st = st.lists(
    st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=60,
).filter(lambda ws: sum(ws) > 0)


@settings(max_examples=300, deadline=None)
@given(total=st.integers(min_value=0, max_value=10**9), weights=weights_st)
def test_integer_children_add_up_to_the_parent_exactly_and_none_is_negative(total, weights):
    parts = distribute(Decimal(total), weights, integer=True)
    assert sum(parts) == total
    assert all(p >= 0 and p == p.to_integral_value() for p in parts)
    assert len(parts) == len(weights)


@settings(max_examples=300, deadline=None)
@given(cents=st.integers(min_value=0, max_value=10**12), weights=weights_st)
def test_money_children_add_up_to_the_parent_to_the_cent_and_none_is_negative(cents, weights):
    total = Decimal(cents) / 100
    parts = distribute(total, weights, integer=False)
    assert sum(parts) == total
    assert all(p >= 0 and p == p.quantize(Decimal("0.01")) for p in parts)


@settings(max_examples=200, deadline=None)
@given(total=st.integers(min_value=0, max_value=10**6), weights=weights_st)
def test_each_child_is_within_one_unit_of_its_exact_share(total, weights):
    parts = distribute(Decimal(total), weights, integer=True)
    s = sum(weights)
    for p, w in zip(parts, weights, strict=True):
        assert abs(p - Decimal(total) * w / s) < 1


def test_the_remainder_goes_to_the_largest_remainders_and_ties_to_the_earlier_child():
    assert distribute(Decimal(10), [1, 1, 1], integer=True) == [4, 3, 3]
    assert distribute(Decimal(100), [1] * 12, integer=True) == [9] * 4 + [8] * 8
    assert distribute(Decimal(5), [1, 2], integer=True) == [
        2,
        3,
    ]  # 1.67 / 3.33: remainder to the first (0.67)
    assert distribute(Decimal("0.10"), [1, 1, 1], integer=False) == [
        Decimal("0.04"),
        Decimal("0.03"),
        Decimal("0.03"),
    ]


def test_negative_or_all_zero_weights_are_refused():
    with pytest.raises(ValidationError):
        distribute(Decimal(10), [1, -1], integer=True)
    with pytest.raises(ValidationError):
        distribute(Decimal(10), [0, 0], integer=True)


def test_a_year_splits_evenly_into_twelve_months_that_add_up(store, manager):
    plan = make_plan(store, manager, year=2026, units=1000)
    months = services.target_break_down(node=root(plan, "units"), into="month", method="even", by=manager)
    assert [m.key for m in months] == [str(i) for i in range(1, 13)]
    assert sum(m.value for m in months) == 1000
    assert [m.value for m in months] == [84] * 4 + [83] * 8
    assert months[1].period_start == date(2026, 2, 1) and months[1].period_end == date(2026, 2, 28)


def test_revenue_splits_to_the_cent(store, manager):
    plan = make_plan(store, manager, year=2026, revenue=Decimal("1000000.01"))
    quarters = services.target_break_down(
        node=root(plan, "revenue"), into="quarter", method="even", by=manager
    )
    assert sum(q.value for q in quarters) == Decimal("1000000.01")
    assert quarters[0].value == Decimal("250000.01")


def test_a_month_splits_into_its_weeks_clipped_to_the_month(store, manager):
    plan = make_plan(store, manager, year=2026)
    months = services.target_break_down(node=root(plan, "visits"), into="month", method="even", by=manager)
    weeks = services.target_break_down(node=months[0], into="week", method="even", by=manager)
    # January 2026 starts on a Thursday (ISO week 1) and ends on a Saturday (week 5).
    assert [w.key for w in weeks] == ["2026-W01", "2026-W02", "2026-W03", "2026-W04", "2026-W05"]
    assert weeks[0].period_start == date(2026, 1, 1) and weeks[0].period_end == date(2026, 1, 4)
    assert weeks[-1].period_end == date(2026, 1, 31)
    assert sum(w.value for w in weeks) == months[0].value


def test_week_keys_are_iso_weeks_unique_within_a_breakdown(store, manager):
    """2025 starts in ISO week 1 and ends in ISO week 1 of 2026: two partial weeks that
    both had key "1", so a weight for "1" hit both."""
    plan = make_plan(store, manager, year=2025)
    weeks = services.target_break_down(node=root(plan, "visits"), into="week", method="even", by=manager)
    keys = [w.key for w in weeks]
    assert len(keys) == len(set(keys)) == 53
    assert keys[0] == "2025-W01" and keys[-1] == "2026-W01"
    assert (weeks[0].period_start, weeks[0].period_end) == (date(2025, 1, 1), date(2025, 1, 5))
    assert (weeks[-1].period_start, weeks[-1].period_end) == (date(2025, 12, 29), date(2025, 12, 31))
    weights = {k: 0 for k in keys} | {"2026-W01": 1}
    weighted = services.target_break_down(
        node=root(plan, "visits"), into="week", method="weights", weights=weights, by=manager
    )
    assert [w.value for w in weighted if w.value] == [root(plan, "visits").value]
    assert weighted[-1].value == root(plan, "visits").value


def test_breaking_down_again_replaces_the_children_and_their_subtrees(
    store, manager, consultant, consultant2
):
    plan = make_plan(store, manager, year=2026)
    node = root(plan, "units")
    months = services.target_break_down(node=node, into="month", method="even", by=manager)
    services.target_break_down(node=months[0], into="consultant", method="even", by=manager)
    quarters = services.target_break_down(node=node, into="quarter", method="even", by=manager)
    assert list(node.children.all()) == quarters
    assert plan.targets.filter(scope_type="consultant").count() == 0
    assert plan.targets.count() == 6 + 4


def test_consultants_of_a_team_node_are_only_its_members(store, team, manager, consultant, consultant2):
    from apps.org.tests.factories import TeamFactory, UserFactory

    other_team = TeamFactory(store=store, name="二组")
    loner = UserFactory(username="loner", role="consultant", stores=[store], team=other_team)
    plan = make_plan(store, manager, year=2026)
    teams = services.target_break_down(node=root(plan, "units"), into="team", method="even", by=manager)
    first = next(t for t in teams if t.scope_id == team.pk)
    people = services.target_break_down(node=first, into="consultant", method="even", by=manager)
    assert {p.scope_id for p in people} == {consultant.pk, consultant2.pk}
    assert loner.pk not in {p.scope_id for p in people}
    assert all(p.consultant_id == p.scope_id for p in people)


def test_a_named_weight_set_is_reusable_for_a_quarter_of_its_months(store, manager):
    seasonal = WeightSet.objects.create(name="季节", into="month", weights={str(m): m for m in range(1, 13)})
    plan = make_plan(store, manager, year=2026, units=600)
    quarters = services.target_break_down(node=root(plan, "units"), into="quarter", method="even", by=manager)
    months = services.target_break_down(
        node=quarters[0], into="month", method="weights", weights=seasonal.weights, by=manager
    )
    assert [m.value for m in months] == [25, 50, 75]


def test_capability_weights_split_among_consultants(store, manager, consultant, consultant2):
    Capability.objects.create(consultant=consultant, weight=Decimal(3))
    plan = make_plan(store, manager, year=2026, units=100)
    people = services.target_break_down(
        node=root(plan, "units"), into="consultant", method="capability", by=manager
    )
    by_id = {p.scope_id: p.value for p in people}
    assert by_id == {consultant.pk: 75, consultant2.pk: 25}  # consultant2 has the default weight 1


def test_last_year_actuals_give_the_proportions(store, manager, consultant, consultant2):
    for _ in range(3):
        order(consultant, store, date(2025, 3, 5))
    order(consultant2, store, date(2025, 3, 9))
    order(consultant2, store, date(2025, 3, 9), status="cancelled", cancel_reason="x")
    plan = make_plan(store, manager, year=2026, units=40)
    people = services.target_break_down(
        node=root(plan, "units"), into="consultant", method="last_year", by=manager
    )
    assert {p.scope_id: p.value for p in people} == {consultant.pk: 30, consultant2.pk: 10}


def test_last_year_without_actuals_is_refused_with_a_reason(store, manager, consultant):
    plan = make_plan(store, manager, year=2026)
    with pytest.raises(ValidationError) as err:
        services.target_break_down(node=root(plan, "units"), into="month", method="last_year", by=manager)
    assert "method" in err.value.message_dict


def test_weights_missing_a_key_or_negative_are_refused_and_nothing_is_saved(store, manager):
    plan = make_plan(store, manager, year=2026)
    node = root(plan, "units")
    with pytest.raises(ValidationError):
        services.target_break_down(
            node=node, into="quarter", method="weights", weights={"1": 1, "2": 1, "3": 1}, by=manager
        )
    with pytest.raises(ValidationError):
        services.target_break_down(
            node=node, into="quarter", method="weights", weights={"1": 1, "2": 1, "3": 1, "4": -1}, by=manager
        )
    assert plan.targets.count() == 6


def test_a_product_split_of_visits_is_refused(store, manager):
    vehicle_model()
    plan = make_plan(store, manager, year=2026)
    with pytest.raises(ValidationError):
        services.target_break_down(node=root(plan, "visits"), into="vehicle_model", method="even", by=manager)


def test_a_month_cannot_be_split_into_quarters(store, manager):
    plan = make_plan(store, manager, year=2026)
    months = services.target_break_down(node=root(plan, "units"), into="month", method="even", by=manager)
    with pytest.raises(ValidationError):
        services.target_break_down(node=months[0], into="quarter", method="even", by=manager)


def test_body_types_use_their_code_as_the_key(store, manager):
    vehicle_model("suv")
    vehicle_model("sedan")
    plan = make_plan(store, manager, year=2026, units=10)
    kids = services.target_break_down(node=root(plan, "units"), into="body_type", method="even", by=manager)
    assert [(k.key, k.scope_code, k.scope_id) for k in kids] == [
        ("sedan", "sedan", None),
        ("suv", "suv", None),
    ]


def test_a_manual_edit_unbalances_the_plan_and_it_cannot_be_submitted(store, manager):
    plan = make_plan(store, manager, year=2026, units=1000)
    months = services.target_break_down(node=root(plan, "units"), into="month", method="even", by=manager)
    services.target_set_value(target=months[0], value=90, by=manager)
    with pytest.raises(ValidationError, match="not balanced"):
        services.plan_submit(plan=plan, by=manager)
    services.target_set_value(target=months[1], value=78, by=manager)  # 84 → 78 takes the 6 back
    services.plan_submit(plan=plan, by=manager)
    plan.refresh_from_db()
    assert plan.status == "submitted"


def test_every_value_change_is_in_the_revision_history(store, manager):
    plan = make_plan(store, manager, year=2026, units=1000)
    node = root(plan, "units")
    services.target_set_value(target=node, value=1200, by=manager)
    rev = PlanRevision.objects.filter(plan=plan, target=node, kind="value").get()
    assert (rev.from_value, rev.to_value, rev.by) == ("1000", "1200", manager)


def test_the_workflow_goes_draft_submitted_approved_and_reopens(store, manager, admin_user):
    plan = make_plan(store, manager, year=2026)
    with pytest.raises(ValidationError):
        services.plan_approve(plan=plan, by=admin_user)  # not submitted yet
    services.plan_submit(plan=plan, by=manager)
    with pytest.raises(ValidationError):
        services.plan_approve(plan=plan, by=manager)  # a manager without approval rights
    with pytest.raises(ValidationError):
        services.target_set_value(target=root(plan, "units"), value=1, by=manager)  # submitted: frozen
    services.plan_approve(plan=plan, by=admin_user)
    services.plan_reopen(plan=plan, by=admin_user, note="bargain")
    plan.refresh_from_db()
    assert plan.status == "draft"
    steps = list(plan.revisions.filter(kind="status").order_by("pk").values_list("from_value", "to_value"))
    assert steps == [("", "draft"), ("draft", "submitted"), ("submitted", "approved"), ("approved", "draft")]


def test_a_manager_given_the_approval_permission_may_approve(store, manager, other_manager):
    from django.contrib.auth.models import Permission

    other_manager.stores.add(store)
    other_manager.user_permissions.add(Permission.objects.get(codename="approve_plan"))
    other_manager = type(other_manager).objects.get(pk=other_manager.pk)  # fresh permission cache
    plan = make_plan(store, manager, year=2026)
    services.plan_submit(plan=plan, by=manager)
    services.plan_approve(plan=plan, by=other_manager)
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.approved_by == other_manager


def test_another_stores_manager_cannot_break_down_this_plan(store, manager, other_manager):
    plan = make_plan(store, manager, year=2026)
    with pytest.raises(ValidationError):
        services.target_break_down(node=root(plan, "units"), into="month", method="even", by=other_manager)
    assert Target.objects.filter(plan=plan).count() == 6
