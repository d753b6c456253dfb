"""In Chromium: a manager rates a consultant, closes the month and exports it."""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from apps.scoring.models import PeriodClose, Rating
from apps.scoring.views import default_period
from conftest import PASSWORD

from . import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_rates_a_consultant_closes_the_month_and_exports_it(
    page, manager, consultant, consultant2, tmp_path
):
    period = default_period()
    f.order(consultant, period.start, 188000, 170000)
    page.goto("/login/")
    page.fill("input[name=username]", manager.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("[data-testid=main-menu] >> text=Performance")  # a section: its entries open below it
    page.click("[data-testid=main-menu] >> text=Scorecards")
    page.wait_for_selector("[data-testid=ranking]")
    assert "188,000.00" in page.inner_text("[data-testid=ranking]")

    page.click(f"[data-testid=rate-{consultant.pk}]")
    scores = {"cooperation": 5, "enthusiasm": 4, "loyalty": 4, "compliance": 3, "planning": 5, "progress": 4}
    for name, value in scores.items():
        page.check(f"input[name={name}][value='{value}']")
    page.fill("textarea[name=comment]", "本月表现稳定")
    page.click("[data-testid=rating-form] button[type=submit]")
    page.wait_for_selector("[data-testid=score]")
    assert Rating.objects.get(consultant=consultant).average == Decimal("4.17")  # 25 / 6
    page.screenshot(path=str(tmp_path / "card.png"), full_page=True)

    page.goto(f"/scoring/ranking/?period={period.key}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=close-period]")
    page.wait_for_selector("[data-testid=closed-badge]")
    assert PeriodClose.objects.filter(period=period.key).exists()

    with page.expect_download() as info:
        page.click("[data-testid=export]")
    rows = list(load_workbook(BytesIO(info.value.path().read_bytes())).active.values)
    names = [r[0] for r in rows[1:]]
    assert rows[0][0] == "Consultant" and names[0] == "王伟" and "李娜" in names
