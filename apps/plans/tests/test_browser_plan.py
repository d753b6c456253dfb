"""The plan journey in Chromium: a manager breaks the year into months and this month
into consultants, submits; the admin approves; the consultant sees his month target
and his progress on it."""

import pytest
from django.utils import timezone

from apps.plans.models import Plan
from conftest import PASSWORD

from .factories import make_plan, order, root

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=main-menu]")


def test_a_manager_breaks_down_submits_the_admin_approves_and_the_consultant_sees_his_target(
    page, tmp_path, store, manager, consultant, consultant2, admin_user
):
    today = timezone.localdate()
    order(consultant, store, today)
    plan = make_plan(store, manager, year=today.year, units=1200)
    units = root(plan, "units")

    log_in(page, manager.username)
    page.goto(f"/plans/{plan.pk}/?node={units.pk}")
    page.select_option("[data-testid=break-down-form] select[name=into]", "month")
    page.select_option("[data-testid=break-down-form] select[name=method]", "even")
    page.click("[data-testid=break-down-form] button[type=submit]")
    page.wait_for_selector("[data-testid=child]")
    assert page.locator("[data-testid=child]").count() == 12
    assert page.inner_text("[data-testid=balance]").strip() in ("Balanced", "已平衡")

    # Drill into this month and split it among the consultants.
    page.click(f"[data-testid=child][data-key='{today.month}'] a")
    page.wait_for_selector("[data-testid=break-down-form]")
    page.select_option("[data-testid=break-down-form] select[name=into]", "consultant")
    page.select_option("[data-testid=break-down-form] select[name=method]", "even")
    page.click("[data-testid=break-down-form] button[type=submit]")
    page.wait_for_selector(f"[data-testid=child][data-key='{consultant.pk}']")
    assert page.locator("[data-testid=child]").count() == 2

    # A manual edit shows the difference to the parent live, before saving.
    first = page.locator("[data-testid=child] input.child-value").first
    first.fill("60")
    assert "-10" in page.inner_text("[data-testid=balance]")
    first.fill("50")
    page.screenshot(path=str(tmp_path / "plan-manager.png"), full_page=True)

    page.click("[data-testid=submit-plan]")
    page.wait_for_selector("[data-testid=plan-status]")
    assert Plan.objects.get(pk=plan.pk).status == "submitted"
    assert page.locator("[data-testid=approve-plan]").count() == 0

    log_in(page, admin_user.username)
    page.goto(f"/plans/{plan.pk}/")
    page.click("[data-testid=approve-plan]")
    page.wait_for_selector("[data-testid=reopen-plan]")
    assert Plan.objects.get(pk=plan.pk).status == "approved"

    log_in(page, consultant.username)
    page.goto("/plans/action-plans/")
    card = page.wait_for_selector("[data-testid=my-target][data-period=month]")
    text = card.inner_text()
    assert "1 / 50" in text  # one order against a month target of 50 units
    assert page.locator("[data-testid=my-target] .progress-bar").count() == 1
    page.screenshot(path=str(tmp_path / "plan-consultant.png"), full_page=True)
