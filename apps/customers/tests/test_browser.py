"""In Chromium on a phone-sized screen: a consultant registers a customer and logs the
opportunity; the manager then finds it on the pipeline board."""

import pytest

from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=main-menu]", state="attached")


def test_a_consultant_registers_on_a_phone_and_the_manager_sees_the_board(
    phone, consultant, manager, tmp_path
):
    log_in(phone, "consultant")
    phone.goto("/customers/my-day/")
    phone.click("text=New customer")
    phone.fill("input[name=name]", "陈先生")
    phone.fill("input[name=mobile]", "13912345678")
    phone.select_option("select[name=grade]", "H")
    phone.select_option("select[name=source]", "walk_in")
    # The form fits the phone: no horizontal scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(tmp_path / "customer-form.png"), full_page=True)
    phone.click("[data-testid=customer-form] button[type=submit]")
    assert "陈先生" in phone.inner_text("[data-testid=customer-name]")

    phone.click("[data-testid=action-opportunity]")
    phone.select_option("select[name=stage]", "showroom")
    phone.fill("input[name=urgency]", "5")
    phone.select_option("select[name=purchase_time]", "week")
    phone.select_option("select[name=purchase_cycle]", "replace")
    phone.check("input[name=decision_maker_known]")
    phone.check("input[name=budget_confirmed]")
    phone.click("[data-testid=opportunity-form] button[type=submit]")
    phone.wait_for_selector("text=score 100")

    phone.context.clear_cookies()
    log_in(phone, "manager")
    phone.goto("/customers/pipeline/")
    column = phone.locator("[data-stage=showroom]")
    assert "陈先生" in column.inner_text()
    phone.screenshot(path=str(tmp_path / "pipeline.png"), full_page=True)
