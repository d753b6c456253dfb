"""In Chromium on a 390 px phone (issue 10 acceptance): a consultant finds a customer
by the last four digits of his mobile, opens his file, sees the timeline, taps "log a
visit", saves it and finds the visit at the top of the timeline; finance finds a payer
by typing, sees his open balance and records a payment."""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from apps.activities.models import Visit
from apps.activities.tests.factories import visit
from apps.customers.models import Customer, OwnershipChange
from apps.customers.tests.factories import make_customer
from apps.sales.models import Payment
from apps.sales.tests.factories import make_order
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=main-menu]", state="attached")


@pytest.fixture
def shot(tmp_path: Path) -> Any:
    """shot(page, name): a full-page screenshot, kept in $SHOTS_DIR when set (to look at)."""
    folder = Path(os.environ.get("SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return take


def fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_consultant_and_finance_journey_on_a_phone(
    phone: Any, shot: Any, store: Any, consultant: Any, finance: Any
) -> None:
    he = make_customer(store, consultant, name="何杰", mobile="13912344321", grade="A")
    make_customer(store, consultant, name="何杰", mobile="13800001234")
    week_ago = timezone.now() - timedelta(days=7)
    Customer.objects.filter(pk=he.pk).update(created_at=week_ago)
    OwnershipChange.objects.filter(customer=he).update(at=week_ago)
    visit(consultant, he, start=week_ago + timedelta(days=1), purpose="初次到店")
    make_order(he, amount=Decimal("309800"), order_date=timezone.localdate() - timedelta(days=30))

    log_in(phone, "consultant")
    box = phone.locator("[data-testid=global-search]")
    assert box.is_visible()  # on the phone without opening the menu
    box.fill("4321")
    phone.wait_for_selector("[data-testid=search-hit]")
    hits = phone.locator("[data-testid=search-hit]")
    assert hits.count() == 1 and "13912344321" in hits.first.inner_text()
    assert hits.first.bounding_box()["height"] >= 44
    box.press("ArrowDown")  # keyboard: the arrow moves into the results
    assert phone.evaluate("document.activeElement.dataset.testid") == "search-hit"
    shot(phone, "1-search-last-four")
    hits.first.click()

    phone.wait_for_selector("[data-testid=timeline]")
    assert "何杰" in phone.inner_text("[data-testid=customer-name]")
    assert "309,800.00" in phone.inner_text("[data-testid=customer-header]")
    assert phone.locator("[data-testid=event]").count() >= 3
    fits(phone)
    shot(phone, "2-customer-file")
    action = phone.locator("[data-testid=action-visit]")
    assert action.bounding_box()["height"] >= 44
    action.click()

    phone.wait_for_selector("[data-testid=chosen-details]")
    assert "何杰" in phone.inner_text("[data-testid=chosen-customer]")
    fits(phone)
    phone.fill("input[name=purpose]", "电话回访报价")
    shot(phone, "3-visit-form")
    phone.click("[data-testid=save-visit]")

    phone.wait_for_selector("[data-testid=timeline]")
    assert phone.url.endswith(f"/customers/{he.pk}/")
    first = phone.locator("[data-testid=event]").first
    assert "电话回访报价" in first.inner_text()
    assert Visit.objects.filter(customer=he, purpose="电话回访报价").exists()
    shot(phone, "4-visit-on-top")

    phone.context.clear_cookies()
    log_in(phone, "finance")
    phone.goto("/sales/payments/")
    phone.locator(".ts-control").first.click()
    phone.keyboard.type("何杰")
    phone.wait_for_selector("[data-testid=picker-detail]")
    details = phone.locator(".ts-dropdown [data-testid=picker-detail]")
    assert details.count() == 2
    texts = [details.nth(i).inner_text() for i in range(2)]
    assert any("13912344321" in t and "¥309,800.00" in t for t in texts), texts
    fits(phone)
    shot(phone, "5-payer-picker")
    phone.locator(".ts-dropdown .option", has_text="13912344321").click()
    phone.fill("input[name=amount]", "1000")
    phone.click("[data-testid=payment-form] button")
    phone.wait_for_selector(".alert-success")
    shot(phone, "6-payment-recorded")
    assert Payment.objects.get().customer == he
