"""In Chromium: an agent claims a call, records satisfaction and a complaint, and the
complaint appears in the complaints list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.aftersales import services
from apps.aftersales.models import Complaint, FollowUp
from conftest import PASSWORD

from .factories import deliver, make_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=main-menu]")


def test_an_agent_claims_calls_records_satisfaction_and_a_complaint(
    page, store, consultant, cs_agent, tmp_path
):
    owner = make_customer(store, consultant, name="林晓东")
    deliver(
        store=store,
        consultant=consultant,
        delivered_on=timezone.localdate() - timedelta(days=7),
        customer=owner,
    )
    services.followups_generate(on=timezone.localdate())
    task = FollowUp.objects.get()

    log_in(page, "cs_agent")
    assert page.locator("[data-testid=main-menu] a[href='/aftersales/']").count() == 1
    page.goto("/aftersales/")
    row = page.locator(f"[data-testid=task-{task.pk}]")
    assert "林晓东" in row.inner_text()
    row.locator("button", has_text="Claim").click()
    page.wait_for_selector("[data-testid=complete-form]")
    assert owner.mobile in page.inner_text("[data-testid=mobile]")
    page.check("input[name=outcome][value=reached]")
    page.select_option("select[name=satisfaction]", "2")
    page.fill("input[name=mileage]", "650")
    page.check("input[name=raise_complaint]")
    page.select_option("select[name=category]", "waiting_time")
    page.select_option("select[name=severity]", "high")
    page.fill("textarea[name=description]", "交车时等待了两个小时")
    page.screenshot(path=str(tmp_path / "call.png"), full_page=True)
    page.click("[data-testid=save-call]")
    page.wait_for_selector("text=Call recorded.")

    task.refresh_from_db()
    assert (task.status, task.outcome, task.satisfaction, task.mileage) == ("done", "reached", 2, 650)
    page.goto("/aftersales/complaints/")
    table = page.inner_text("[data-testid=complaints]")
    assert "林晓东" in table and "Waiting time" in table and "High" in table and "Open" in table
    complaint = Complaint.objects.get()
    assert complaint.raised_on == task
    page.click(f"a[href='/aftersales/complaints/{complaint.pk}/']")
    page.wait_for_url(f"**/aftersales/complaints/{complaint.pk}/")
    assert "交车时等待了两个小时" in page.inner_text("main")
    page.screenshot(path=str(tmp_path / "complaint.png"), full_page=True)
