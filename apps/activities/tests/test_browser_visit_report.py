"""The consultant's day on a phone in Chromium: log a visit, submit the daily report;
the manager sees it on the team view and comments; the consultant sees the comment."""

import time

import pytest

from conftest import PASSWORD

from . import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=main-menu]", state="attached")


def test_a_visit_and_a_report_go_round_the_feedback_loop_on_a_phone(
    phone, consultant, manager, store, tmp_path
):
    f.customer(store, consultant, name="周建国")
    f.customer(store, consultant, name="吴丽")
    log_in(phone, "consultant")

    phone.goto("/activities/visits/new/")
    phone.wait_for_selector("[data-testid=customer-search]")
    started = time.monotonic()
    taps = 0
    phone.tap("[data-testid=customer-search]")
    taps += 1
    phone.keyboard.type("周")
    phone.wait_for_selector("[data-customer-name='周建国']")
    phone.tap("[data-customer-name='周建国']")
    taps += 1
    phone.tap("label[for=id_channel_1]")  # Phone
    taps += 1
    phone.tap("[data-testid=save-visit]")
    taps += 1
    phone.wait_for_selector(".alert-success")
    elapsed = time.monotonic() - started
    assert "周建国" in phone.inner_text(".alert-success")
    # A visit to an existing customer: 4 taps and one typed character, well under 30 s.
    assert taps == 4 and elapsed < 30
    print(f"visit form: {taps} taps, {elapsed:.1f} s in the browser")
    phone.screenshot(path=str(tmp_path / "visit-saved.png"), full_page=True)

    phone.goto("/activities/reports/day/")
    assert "周建国" in phone.inner_text("main")  # the day's visit pre-fills the report
    phone.fill("textarea[name=problems]", "客户嫌贵，想等月底活动")
    phone.tap("[data-testid=submit-report]")
    phone.wait_for_selector("[data-testid=report-status]")
    assert "Submitted" in phone.inner_text("[data-testid=report-status]")

    log_in(phone, "manager")
    phone.goto("/activities/team/")
    row = phone.inner_text("[data-testid=team-row-consultant]")
    assert "王伟" in row
    phone.screenshot(path=str(tmp_path / "team.png"), full_page=True)
    phone.tap("[data-testid=today-reports] a")
    assert "客户嫌贵" in phone.inner_text("[data-testid=report-problems]")
    phone.fill("textarea[name=comment]", "月底活动提前告诉他，明天我来谈")
    phone.tap("[data-testid=send-comment]")
    phone.wait_for_selector(".alert-success")

    log_in(phone, "consultant")
    phone.goto("/activities/reports/day/")
    comment = phone.inner_text("[data-testid=report-thread]")
    assert "明天我来谈" in comment and phone.is_visible("[data-testid=unread]")
    phone.fill("[data-testid=reply-form] input[name=comment]", "好的，我约他周六来店")
    phone.tap("[data-testid=reply-form] button")
    phone.wait_for_selector(".alert-success")
    assert phone.locator("[data-testid=report-comment]").count() == 2
    phone.screenshot(path=str(tmp_path / "comment.png"), full_page=True)
