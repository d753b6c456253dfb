from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.plans import services
from apps.plans.models import ActionPlan, Forecast, Plan, PlanRevision, WeightSet

from .factories import make_plan, order, root, vehicle_model

pytestmark = pytest.mark.django_db


def test_a_manager_creates_a_plan_from_the_page(client_as, store, manager):
    res = client_as(manager).post(
        reverse("plans:create"),
        {
            "store": store.pk,
            "year": 2031,
            "units": 1200,
            "revenue": "180000000",
            "collections": "170000000",
            "gross_profit": "15000000",
            "new_customers": 900,
            "visits": 15000,
            "expense_budget": "800000",
        },
    )
    plan = Plan.objects.get(store=store, year=2031)
    assert res.status_code == 302 and res.url == reverse("plans:detail", args=[plan.pk])
    assert root(plan, "units").value == 1200


def test_a_bad_plan_form_shows_errors_and_saves_nothing(client_as, store, manager):
    res = client_as(manager).post(reverse("plans:create"), {"store": store.pk, "year": 2031, "units": -1})
    assert res.status_code == 200 and res.context["form"].errors
    assert not Plan.objects.exists()


def test_the_plan_page_breaks_down_by_a_weight_set_and_shows_the_children(client_as, store, manager):
    ws = WeightSet.objects.create(name="季节", weights={str(m): 1 for m in range(1, 13)})
    plan = make_plan(store, manager, year=2026, units=1200)
    node = root(plan, "units")
    c = client_as(manager)
    res = c.post(
        reverse("plans:break_down", args=[plan.pk, node.pk]),
        {"into": "month", "method": "weights", "weight_set": ws.pk},
    )
    assert res.status_code == 302
    assert [t.value for t in node.children.all()] == [100] * 12
    page = c.get(res.url)
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="child"') == 12


def test_a_manual_edit_shows_the_difference_and_blocks_submission(client_as, store, manager):
    plan = make_plan(store, manager, year=2026, units=1200)
    node = root(plan, "units")
    quarters = services.target_break_down(node=node, into="quarter", method="even", by=manager)
    c = client_as(manager)
    c.post(reverse("plans:edit_children", args=[plan.pk, node.pk]), {f"v{quarters[0].pk}": "310"})
    page = c.get(reverse("plans:detail", args=[plan.pk]) + f"?node={node.pk}").content.decode()
    assert 'data-testid="unbalanced"' in page
    assert "-10" in page
    c.post(reverse("plans:step", args=[plan.pk, "submit"]))
    assert Plan.objects.get(pk=plan.pk).status == "draft"


def test_a_bad_manual_value_is_refused_and_nothing_changes(client_as, store, manager):
    plan = make_plan(store, manager, year=2026, units=1200)
    node = root(plan, "units")
    quarters = services.target_break_down(node=node, into="quarter", method="even", by=manager)
    client_as(manager).post(
        reverse("plans:edit_children", args=[plan.pk, node.pk]),
        {f"v{quarters[0].pk}": "310", f"v{quarters[1].pk}": "1.5"},
    )
    assert [q.value for q in node.children.all()] == [300] * 4


def test_buttons_by_role_submit_by_the_manager_approve_by_the_admin(client_as, store, manager, admin_user):
    plan = make_plan(store, manager, year=2026)
    c = client_as(manager)
    page = c.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert 'data-testid="submit-plan"' in page and 'data-testid="approve-plan"' not in page
    c.post(reverse("plans:step", args=[plan.pk, "submit"]))
    page = c.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert 'data-testid="approve-plan"' not in page
    c.post(reverse("plans:step", args=[plan.pk, "approve"]))
    assert Plan.objects.get(pk=plan.pk).status == "submitted"
    c = client_as(admin_user)
    assert 'data-testid="approve-plan"' in c.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    c.post(reverse("plans:step", args=[plan.pk, "approve"]))
    assert Plan.objects.get(pk=plan.pk).status == "approved"
    history = c.get(reverse("plans:history", args=[plan.pk])).content.decode()
    assert history.count("<tr>") >= 3


def test_the_plan_page_runs_a_fixed_number_of_queries_however_big_the_tree(client_as, store, manager):
    plan = make_plan(store, manager, year=2026)
    c = client_as(manager)
    url = reverse("plans:detail", args=[plan.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx)

    before = count()
    for measure in ("units", "revenue", "visits"):
        months = services.target_break_down(node=root(plan, measure), into="month", method="even", by=manager)
        services.target_break_down(node=months[0], into="week", method="even", by=manager)
    # session + user + plan + targets + team map + 4 actual families + allocations + menu:
    # it does not grow with the nodes.
    assert count() == before


def test_another_stores_manager_and_consultants_get_404_or_403_on_plan_pages(
    client_as, store, manager, other_manager, consultant
):
    plan = make_plan(store, manager, year=2026)
    node = root(plan, "units")
    c = client_as(other_manager)
    assert c.get(reverse("plans:detail", args=[plan.pk])).status_code == 404
    assert c.get(reverse("plans:history", args=[plan.pk])).status_code == 404
    assert (
        c.post(
            reverse("plans:break_down", args=[plan.pk, node.pk]), {"into": "month", "method": "even"}
        ).status_code
        == 404
    )
    assert (
        c.post(reverse("plans:edit_children", args=[plan.pk, node.pk]), {f"v{node.pk}": "1"}).status_code
        == 404
    )
    assert c.post(reverse("plans:step", args=[plan.pk, "submit"])).status_code == 404
    assert c.post(reverse("plans:allocation_add", args=[plan.pk]), {"amount": "1"}).status_code == 404
    assert client_as(consultant).get(reverse("plans:detail", args=[plan.pk])).status_code == 403
    assert root(plan, "units").value == 1000 and Plan.objects.get(pk=plan.pk).status == "draft"


def test_the_expense_budget_is_allocated_but_never_beyond_it(client_as, store, manager):
    plan = make_plan(store, manager, year=2026)  # budget 500,000
    c = client_as(manager)
    c.post(
        reverse("plans:allocation_add", args=[plan.pk]), {"purpose": "车展", "amount": "300000", "month": "4"}
    )
    c.post(reverse("plans:allocation_add", args=[plan.pk]), {"purpose": "广告", "amount": "300000"})
    c.post(reverse("plans:allocation_add", args=[plan.pk]), {"purpose": "x", "amount": "abc"})
    assert [a.amount for a in plan.expense_allocations.all()] == [Decimal("300000.00")]
    assert "车展 · April" in c.get(reverse("plans:detail", args=[plan.pk])).content.decode()


def test_my_targets_fragment_shows_this_month_with_progress(
    client_as, store, manager, consultant, admin_user
):
    today = timezone.localdate()
    order(consultant, store, today)
    plan = make_plan(store, manager, year=today.year, units=120)
    people = services.target_break_down(
        node=root(plan, "units"), into="consultant", method="even", by=manager
    )
    mine = next(p for p in people if p.scope_id == consultant.pk)
    services.target_break_down(node=mine, into="month", method="even", by=manager)
    services.plan_submit(plan=plan, by=manager)
    services.plan_approve(plan=plan, by=admin_user)
    res = client_as(consultant).get(reverse("plans:my_targets"), HTTP_HX_REQUEST="true")
    html = res.content.decode()
    assert res.status_code == 200 and 'data-testid="my-targets"' in html and "<html" not in html
    assert 'data-period="month"' in html and "<strong>1</strong> / 10" in html
    # Opened as an address (a bookmark, a link), it is a whole page with the menu.
    page = client_as(consultant).get(reverse("plans:my_targets")).content.decode()
    assert "<html" in page and 'data-testid="main-menu"' in page and "<strong>1</strong> / 10" in page


def test_a_consultant_writes_an_action_plan_and_the_manager_comments(
    client_as, store, manager, consultant, consultant2
):
    c = client_as(consultant)
    res = c.post(
        reverse("plans:action_plans"),
        {
            "kind": "week",
            "day": "2026-03-18",
            "what": "回访10位H级客户",
            "whom": "张先生",
            "when": "周二、周四",
        },
    )
    assert res.status_code == 302
    ap = ActionPlan.objects.get()
    assert (ap.period_start, ap.period_end) == (date(2026, 3, 16), date(2026, 3, 22))
    assert "回访10位H级客户" not in client_as(consultant2).get(reverse("plans:action_plans")).content.decode()
    m = client_as(manager)
    assert "回访10位H级客户" in m.get(reverse("plans:action_plans")).content.decode()
    m.post(reverse("plans:action_plan_comment", args=[ap.pk]), {"comment": "加油"})
    ap.refresh_from_db()
    assert ap.manager_comment == "加油" and ap.commented_by == manager


def test_another_consultant_cannot_comment_and_another_store_gets_404(
    client_as, store, consultant, other_manager
):
    ap = services.action_plan_save(
        consultant=consultant, kind="month", day=date(2026, 3, 1), what="x", by=consultant
    )
    assert (
        client_as(other_manager)
        .post(reverse("plans:action_plan_comment", args=[ap.pk]), {"comment": "x"})
        .status_code
        == 404
    )


def test_forecast_accuracy_per_consultant(client_as, store, manager, consultant):
    model = vehicle_model()
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    Forecast.objects.create(
        store=store, consultant=consultant, month=last_month, vehicle_model=model, units=4
    )
    for _ in range(5):
        order(consultant, store, last_month, model)
    res = client_as(manager).get(reverse("plans:forecasts"))
    rows = res.context["rows"]
    assert len(rows) == 1 and rows[0].months[0][1:] == (4, 5, pytest.approx(0.8))
    assert f"{last_month:%Y-%m}: forecast 4, sold 5: 80%" in res.content.decode()
    c = client_as(consultant)
    assert c.get(reverse("plans:forecasts")).status_code == 200
    res = c.post(reverse("plans:forecasts"), {f"m{model.pk}": 6})
    assert res.status_code == 302
    assert Forecast.objects.filter(consultant=consultant, units=6).count() == 1


def test_forecast_accuracy_is_zero_when_nothing_sold_but_something_forecast():
    from apps.plans.selectors import month_accuracy

    assert month_accuracy([(3, 0)]) == 0.0
    assert month_accuracy([(0, 0)]) == 1.0
    assert month_accuracy([(10, 2)]) == 0.0


def test_the_plan_list_shows_only_the_users_stores(client_as, store, other_store, manager, other_manager):
    make_plan(store, manager, year=2026)
    make_plan(other_store, other_manager, year=2026)
    res = client_as(manager).get(reverse("plans:list"))
    assert [p.store for p in res.context["page_obj"]] == [store]


def test_a_manager_sets_capability_weights_of_his_consultants_only(
    client_as, store, manager, consultant, other_consultant
):
    c = client_as(manager)
    assert c.get(reverse("plans:weight_sets")).status_code == 200
    c.post(
        reverse("plans:weight_sets"),
        {"capabilities": "1", f"cap{consultant.pk}": "1.5", f"cap{other_consultant.pk}": "9"},
    )
    from apps.plans.models import Capability

    assert dict(Capability.objects.values_list("consultant_id", "weight")) == {consultant.pk: Decimal("1.50")}
    c.post(reverse("plans:weight_sets"), {"capabilities": "1", f"cap{consultant.pk}": "-1"})
    assert Capability.objects.get().weight == Decimal("1.50")


def test_a_manager_saves_a_weight_set_and_bad_weights_are_refused(client_as, manager):
    c = client_as(manager)
    c.post(reverse("plans:weight_sets"), {"name": "旺季", "into": "month", "weights": "1=5, 2=3\n3=9"})
    assert WeightSet.objects.get().weights == {"1": 5.0, "2": 3.0, "3": 9.0}
    res = c.post(reverse("plans:weight_sets"), {"name": "坏", "into": "month", "weights": "1=-5"})
    assert res.status_code == 200 and WeightSet.objects.count() == 1


def test_every_role_can_load_the_my_targets_card(client_as, cs_agent):
    res = client_as(cs_agent).get(reverse("plans:my_targets"))
    assert res.status_code == 200 and 'data-testid="my-targets"' in res.content.decode()


def test_the_plan_history_is_paged_and_each_row_names_its_consultant(client_as, store, manager, consultant):
    plan = make_plan(store, manager, year=2026, units=120)
    people = services.target_break_down(
        node=root(plan, "units"), into="consultant", method="even", by=manager
    )
    mine = next(p for p in people if p.scope_id == consultant.pk)
    months = services.target_break_down(node=mine, into="month", method="even", by=manager)
    weeks = services.target_break_down(node=months[0], into="week", method="even", by=manager)
    c = client_as(manager)
    html = c.get(reverse("plans:history", args=[plan.pk])).content.decode()
    week_row = next(line for line in html.splitlines() if f"{weeks[0].period_start:%Y-%m-%d}–" in line)
    assert str(consultant) in week_row  # a weekly row says whose week it is
    PlanRevision.objects.bulk_create(
        PlanRevision(plan=plan, by=manager, kind="value", subject="x", to_value=str(n)) for n in range(60)
    )
    total = plan.revisions.count()
    first = c.get(reverse("plans:history", args=[plan.pk])).context["page_obj"]
    assert len(first.object_list) == 50 and first.paginator.num_pages == -(-total // 50)
    assert c.get(reverse("plans:history", args=[plan.pk]), {"page": 2}).context["page_obj"].number == 2
