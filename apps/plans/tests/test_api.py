from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.plans import services
from apps.plans.models import Plan, Target, WeightSet

from .factories import make_plan, root

pytestmark = pytest.mark.django_db

SEASONAL = {
    "1": 6,
    "2": 4,
    "3": 8,
    "4": 8,
    "5": 9,
    "6": 9,
    "7": 8,
    "8": 8,
    "9": 9,
    "10": 10,
    "11": 10,
    "12": 11,
}


def test_a_1000_unit_year_breaks_into_months_by_a_seasonal_weight_set(api_as, store, manager):
    plan = make_plan(store, manager, year=2026, units=1000)
    node = root(plan, "units")
    res = api_as(manager).post(
        f"/api/v1/plans/{plan.pk}/break-down/",
        {"node": node.pk, "into": "month", "method": "weights", "weights": SEASONAL},
        format="json",
    )
    assert res.status_code == 201, res.content
    months = {c["key"]: c["value"] for c in res.json()}
    # Σ weights = 100, so each month is its weight × 10 exactly.
    assert months == {k: v * 10 for k, v in SEASONAL.items()}
    assert sum(months.values()) == 1000
    assert all(c["parent"] == node.pk and c["measure"] == "units" for c in res.json())
    assert res.json()[0]["period_start"] == "2026-01-01" and res.json()[0]["period_end"] == "2026-01-31"


def test_an_uneven_seasonal_set_distributes_the_remainder_by_largest_remainder(api_as, store, manager):
    ws = WeightSet.objects.create(
        name="旺季", weights={str(m): (3 if m in (9, 10, 12) else 2) for m in range(1, 13)}
    )
    plan = make_plan(store, manager, year=2026, units=1000)
    res = api_as(manager).post(
        f"/api/v1/plans/{plan.pk}/break-down/",
        {"node": root(plan, "units").pk, "into": "month", "method": "weights", "weight_set": ws.pk},
        format="json",
    )
    assert res.status_code == 201, res.content
    values = [c["value"] for c in res.json()]
    # Σ = 27; a weight-2 month gets 74.07…, a weight-3 month 111.11…: floors 74 / 111
    # sum to 999, the 1 left goes to the largest remainder (0.11 of months 9, 10, 12),
    # the earliest of the tie: September.
    assert values == [74] * 8 + [112, 111, 74, 111]
    assert sum(values) == 1000


def test_money_is_a_two_place_string_in_the_api(api_as, store, manager):
    plan = make_plan(store, manager, year=2026, revenue=Decimal("100.00"))
    res = api_as(manager).post(
        f"/api/v1/plans/{plan.pk}/break-down/",
        {"node": root(plan, "revenue").pk, "into": "quarter", "method": "even"},
        format="json",
    )
    assert [c["value"] for c in res.json()] == ["25.00"] * 4


@pytest.mark.parametrize(
    "weights",
    [{"1": 1, "2": 1, "3": 1}, {"1": 1, "2": 1, "3": 1, "4": -2}, {"1": "x", "2": 1, "3": 1, "4": 1}],
    ids=["missing-key", "negative", "not-a-number"],
)
def test_bad_weights_are_refused_with_400_naming_weights(api_as, store, manager, weights):
    plan = make_plan(store, manager, year=2026)
    res = api_as(manager).post(
        f"/api/v1/plans/{plan.pk}/break-down/",
        {"node": root(plan, "units").pk, "into": "quarter", "method": "weights", "weights": weights},
        format="json",
    )
    assert res.status_code == 400
    assert "weights" in res.json()
    assert plan.targets.count() == 6


def test_a_node_of_another_plan_is_refused(api_as, store, manager):
    plan = make_plan(store, manager, year=2026)
    other = make_plan(store, manager, year=2027)
    res = api_as(manager).post(
        f"/api/v1/plans/{plan.pk}/break-down/",
        {"node": root(other, "units").pk, "into": "quarter", "method": "even"},
        format="json",
    )
    assert res.status_code == 400 and "node" in res.json()


def test_the_plan_detail_has_the_target_tree_with_tracking(api_as, store, manager):
    plan = make_plan(store, manager, year=2026)
    services.target_break_down(node=root(plan, "units"), into="quarter", method="even", by=manager)
    data = api_as(manager).get(f"/api/v1/plans/{plan.pk}/").json()
    assert data["status"] == "draft"
    units = next(n for n in data["targets"] if n["measure"] == "units")
    assert [c["key"] for c in units["children"]] == ["1", "2", "3", "4"]
    assert {"actual", "achievement", "time_elapsed", "projection", "status"} <= set(units)


def test_the_workflow_through_the_api(api_as, store, manager, admin_user):
    plan = make_plan(store, manager, year=2026)
    assert (
        api_as(manager).patch(f"/api/v1/plans/{plan.pk}/", {"status": "submitted"}, format="json").status_code
        == 200
    )
    res = api_as(manager).patch(f"/api/v1/plans/{plan.pk}/", {"status": "approved"}, format="json")
    assert res.status_code == 400
    assert (
        api_as(admin_user)
        .patch(f"/api/v1/plans/{plan.pk}/", {"status": "approved"}, format="json")
        .status_code
        == 200
    )
    assert Plan.objects.get(pk=plan.pk).status == "approved"


def test_a_manager_creates_a_plan_and_a_second_for_the_same_year_is_refused(api_as, store, manager):
    api = api_as(manager)
    assert api.post("/api/v1/plans/", {"store": store.pk, "year": 2030}, format="json").status_code == 201
    res = api.post("/api/v1/plans/", {"store": store.pk, "year": 2030}, format="json")
    assert res.status_code == 400


def test_a_target_value_is_patched_through_the_service_and_recorded(api_as, store, manager):
    plan = make_plan(store, manager, year=2026)
    node = root(plan, "units")
    res = api_as(manager).patch(f"/api/v1/targets/{node.pk}/", {"value": "1200"}, format="json")
    assert res.status_code == 200 and res.json()["value"] == 1200
    assert plan.revisions.filter(target=node, from_value="1000", to_value="1200").exists()
    res = api_as(manager).patch(f"/api/v1/targets/{node.pk}/", {"value": "12.5"}, format="json")
    assert res.status_code == 400 and "value" in res.json()


def test_targets_cannot_be_posted_or_deleted_one_by_one(api_as, store, manager):
    plan = make_plan(store, manager, year=2026)
    api = api_as(manager)
    assert api.post("/api/v1/targets/", {}, format="json").status_code == 405
    assert api.delete(f"/api/v1/targets/{root(plan, 'units').pk}/").status_code == 405


def test_another_stores_manager_gets_404_for_every_verb(api_as, store, manager, other_manager):
    plan = make_plan(store, manager, year=2026)
    node = root(plan, "units")
    api = api_as(other_manager)
    assert api.get(f"/api/v1/plans/{plan.pk}/").status_code == 404
    assert api.patch(f"/api/v1/plans/{plan.pk}/", {"status": "submitted"}, format="json").status_code == 404
    assert (
        api.post(
            f"/api/v1/plans/{plan.pk}/break-down/",
            {"node": node.pk, "into": "month", "method": "even"},
            format="json",
        ).status_code
        == 404
    )
    assert api.get(f"/api/v1/targets/{node.pk}/").status_code == 404
    assert api.patch(f"/api/v1/targets/{node.pk}/", {"value": 1}, format="json").status_code == 404
    assert api.get("/api/v1/plans/").json()["count"] == 0


def test_a_consultant_sees_only_his_own_targets_and_no_plans(api_as, store, manager, consultant, consultant2):
    plan = make_plan(store, manager, year=2026)
    people = services.target_break_down(
        node=root(plan, "units"), into="consultant", method="even", by=manager
    )
    mine = next(p for p in people if p.scope_id == consultant.pk)
    theirs = next(p for p in people if p.scope_id == consultant2.pk)
    api = api_as(consultant)
    assert api.get("/api/v1/plans/").status_code == 403
    ids = [t["id"] for t in api.get("/api/v1/targets/").json()["results"]]
    assert ids == [mine.pk]
    assert api.get(f"/api/v1/targets/{theirs.pk}/").status_code == 404
    assert api.patch(f"/api/v1/targets/{mine.pk}/", {"value": 1}, format="json").status_code == 403


def test_the_targets_list_runs_a_fixed_number_of_queries(api_as, store, manager, consultant, consultant2):
    plan = make_plan(store, manager, year=2026)
    for measure in ("units", "visits"):
        months = services.target_break_down(node=root(plan, measure), into="month", method="even", by=manager)
        for m in months[:3]:
            services.target_break_down(node=m, into="consultant", method="even", by=manager)
    api = api_as(manager)

    def count(page_size: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            res = api.get(f"/api/v1/targets/?measure=units&page_size={page_size}")
            assert res.status_code == 200 and len(res.json()["results"]) == min(page_size, 19)
        return len(ctx)

    # the user's store ids + count + page + the plan's targets (for the paths) + team
    # map + one sales aggregate: the same for 3 rows or all 19.
    assert count(3) == count(100) == 6
    assert Target.objects.filter(plan=plan, measure="units").count() == 19


def test_a_plan_is_created_with_its_year_targets_through_the_api(api_as, store, manager):
    res = api_as(manager).post(
        "/api/v1/plans/",
        {"store": store.pk, "year": 2032, "values": {"units": 900, "revenue": "1.50"}},
        format="json",
    )
    assert res.status_code == 201, res.content
    roots = {t["measure"]: t["value"] for t in res.json()["targets"]}
    assert roots["units"] == 900 and roots["revenue"] == "1.50" and roots["visits"] == 0
    bad = api_as(manager).post(
        "/api/v1/plans/", {"store": store.pk, "year": 2033, "values": {"units": 1.5}}, format="json"
    )
    assert bad.status_code == 400 and "units" in bad.json()


def test_the_plans_list_runs_a_fixed_number_of_queries(api_as, store, other_store, manager, admin_user):
    api = api_as(admin_user)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/plans/").status_code == 200
        return len(ctx)

    make_plan(store, manager, year=2026)
    one = count()
    other_manager_plan = make_plan(store, manager, year=2027)
    services.target_break_down(
        node=root(other_manager_plan, "units"), into="month", method="even", by=manager
    )
    # count + page of plans (with stores) + their targets, prefetched: the tree is
    # built in memory, without tracking, so more plans and nodes cost nothing more.
    assert count() == one == 3


def test_a_manager_withdraws_his_submitted_plan_and_it_is_recorded(api_as, store, manager):
    plan = make_plan(store, manager, year=2026)
    services.plan_submit(plan=plan, by=manager)
    res = api_as(manager).patch(f"/api/v1/plans/{plan.pk}/", {"status": "draft"}, format="json")
    assert res.status_code == 200 and res.json()["status"] == "draft"
    assert plan.revisions.filter(kind="status", from_value="submitted", to_value="draft", by=manager).exists()


def test_an_approved_plan_cannot_be_reopened_by_a_manager_without_approval_rights(
    api_as, store, manager, admin_user
):
    plan = make_plan(store, manager, year=2026)
    services.plan_submit(plan=plan, by=manager)
    services.plan_approve(plan=plan, by=admin_user)
    res = api_as(manager).patch(f"/api/v1/plans/{plan.pk}/", {"status": "draft"}, format="json")
    assert res.status_code == 400
    assert Plan.objects.get(pk=plan.pk).status == "approved"


def test_finance_reads_plans_but_cannot_write(api_as, store, manager, finance):
    plan = make_plan(store, manager, year=2026)
    api = api_as(finance)
    assert api.get(f"/api/v1/plans/{plan.pk}/").status_code == 200
    assert api.patch(f"/api/v1/plans/{plan.pk}/", {"status": "submitted"}, format="json").status_code == 403
    assert (
        api.post(
            f"/api/v1/plans/{plan.pk}/break-down/",
            {"node": root(plan, "units").pk, "into": "month", "method": "even"},
            format="json",
        ).status_code
        == 403
    )


def test_tracking_fields_in_the_targets_api_are_numbers_or_null(api_as, store, manager, consultant):
    from datetime import date

    from .factories import order

    order(consultant, store, date(2026, 1, 10))
    plan = make_plan(store, manager, year=2026, units=100)
    data = api_as(manager).get(f"/api/v1/targets/{root(plan, 'units').pk}/").json()
    assert data["actual"] == 1 and isinstance(data["actual"], int) and isinstance(data["time_elapsed"], float)
    assert data["status"] in ("green", "amber", "red")
    future = make_plan(store, manager, year=2099)
    data = api_as(manager).get(f"/api/v1/targets/{root(future, 'units').pk}/").json()
    assert data["time_elapsed"] == 0.0 and data["projection"] is None and data["status"] is None
