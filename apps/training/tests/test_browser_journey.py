"""Chromium: the manager breaks a consultant's week into days and records a training
session with scores; the consultant, on his phone in Chinese, sees today's targets on
My day and the session with his score. Screenshots in $SHOTS (else tmp_path)."""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from apps.plans import services as plans
from apps.plans.tests.factories import make_plan, root
from apps.training.models import TrainingSession
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SHOTS", "")


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=main-menu]", state="attached")


def test_daily_targets_and_training_on_the_consultants_phone(
    page, phone, store, manager, consultant, consultant2, admin_user, tmp_path
):
    where = Path(SHOTS) if SHOTS else tmp_path
    where.mkdir(parents=True, exist_ok=True)
    today = timezone.localdate()
    plan = make_plan(store, manager, year=today.year, units=730, visits=3650)
    for measure in ("units", "visits"):
        people = plans.target_break_down(
            node=root(plan, measure), into="consultant", method="even", by=manager
        )
        mine = next(p for p in people if p.scope_id == consultant.pk)
        weeks = plans.target_break_down(node=mine, into="week", method="even", by=manager)
        week = next(w for w in weeks if w.period_start <= today <= w.period_end)
        plans.target_break_down(node=week, into="day", method="weights", by=manager)
    plans.plan_submit(plan=plan, by=manager)
    plans.plan_approve(plan=plan, by=admin_user)

    # The manager keeps the working calendar and records a session.
    log_in(page, "manager")
    page.goto("/plans/calendar/")
    page.screenshot(path=str(where / "1-manager-calendar.png"), full_page=True)
    page.goto("/training/new/")
    page.select_option("select[name=topic]", "product_knowledge")
    page.fill("input[name=title]", "新能源车型产品知识")
    page.fill("input[name=date]", today.isoformat())
    page.fill("input[name=hours]", "2.5")
    page.fill("input[name=trainer_name]", "厂家培训师 刘老师")
    page.check(f"#attend{consultant.pk}")
    page.fill(f"input[name=score_{consultant.pk}]", "92")
    page.check(f"#attend{consultant2.pk}")
    page.screenshot(path=str(where / "2-manager-training-form.png"), full_page=True)
    page.click("[data-testid=training-form] button[type=submit]")
    page.wait_for_selector(".alert-success")
    session = TrainingSession.objects.get()
    assert session.attendances.count() == 2
    page.goto("/training/")
    assert "新能源车型产品知识" in page.inner_text("[data-testid=training-table]")
    page.screenshot(path=str(where / "3-manager-training-list.png"), full_page=True)

    # The consultant, on his phone in Chinese.
    consultant.language = "zh-hans"
    consultant.save(update_fields=["language"])
    log_in(phone, "consultant")
    phone.goto("/customers/my-day/")
    phone.wait_for_selector("[data-testid=my-today]")
    headline = phone.inner_text("[data-testid=today-headline]")
    assert "拜访" in headline
    phone.screenshot(path=str(where / "4-consultant-my-day-zh.png"), full_page=True)
    phone.goto("/training/")
    table = phone.inner_text("[data-testid=training-table]")
    assert "新能源车型产品知识" in table and "92" in table
    phone.screenshot(path=str(where / "5-consultant-my-training-zh.png"), full_page=True)
