"""First journeys in Chromium: every demo role logs in and sees its own menu."""

import pytest

from apps.dashboard.tests.demo_copy import seed_demo
from apps.org.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What each role must find in its menu, and what it must not.
MENUS = {
    "admin": (["Vehicle models", "Stores and teams", "System status"], []),
    "manager_bj": (["Vehicle models", "Stores and teams"], ["System status"]),
    "sales_bj01": (["Vehicle models"], ["Stores and teams", "System status"]),
    "cs_bj": (["Stores and teams"], ["Vehicle models", "System status"]),
    "advisor_bj": (["Vehicle models", "Stores and teams"], ["System status"]),
    "marketing": (["Vehicle models", "Stores and teams"], ["System status"]),
    "finance": (["Stores and teams"], ["Vehicle models", "System status"]),
}


def log_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_each_demo_role_logs_in_and_sees_its_own_menu(page, tmp_path):
    seed_demo()
    for username, (shown, hidden) in MENUS.items():
        log_in(page, username, DEMO_PASSWORD)
        page.wait_for_selector("[data-testid=main-menu]")
        menu = page.text_content("[data-testid=main-menu]")  # dropdown entries are hidden until opened
        for label in shown:
            assert label in menu, (username, label)
        for label in hidden:
            assert label not in menu, (username, label)
        assert page.inner_text("[data-testid=role]")
        page.screenshot(path=str(tmp_path / f"home-{username}.png"))
        page.context.clear_cookies()


def test_a_wrong_password_shows_an_error(page):
    seed_demo()
    log_in(page, "manager_bj", "wrong-password")
    error = page.wait_for_selector("[data-testid=login-error]")
    assert "correct username and password" in error.inner_text()
    assert page.url.endswith("/login/")


def test_a_consultant_on_a_phone_switches_to_chinese(phone):
    seed_demo()
    log_in(phone, "sales_bj01", DEMO_PASSWORD)
    phone.click(".navbar-toggler")
    phone.wait_for_selector("#mainnav.show")  # the collapse has finished opening
    phone.click("[data-testid=user-menu]")
    phone.locator("button[value=zh-hans]").scroll_into_view_if_needed()
    phone.click("button[value=zh-hans]")
    phone.wait_for_selector("text=欢迎")
    assert "销售顾问" in phone.inner_text("[data-testid=role]")
