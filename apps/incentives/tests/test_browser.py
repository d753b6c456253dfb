"""In Chromium, the whole way: a car arrives, an order reserves it and is delivered with
its VIN; the manager closes the month, computes and approves the consultant's statement;
the consultant opens it on his phone (in Chinese). Screenshots under /tmp/shots/i17/."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from apps.customers.tests.factories import make_customer, make_vehicle_model
from apps.incentives import services
from apps.incentives.models import Statement
from apps.sales.models import Order
from apps.scoring.periods import month
from apps.stock.models import Car
from apps.stock.tests.factories import stock_vin
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/i17")  # noqa: S108 — where the briefing asks for screenshots


def login(page, user):
    page.goto("/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_car_is_sold_and_paid_as_commission(browser, live_server, page, phone, store, manager, consultant):
    SHOTS.mkdir(parents=True, exist_ok=True)
    last = month(timezone.localdate().replace(day=1) - timedelta(days=1))
    model = make_vehicle_model(brand="丰田", name="RAV4荣放", body_type="suv")
    customer = make_customer(store, consultant, name="陈先生")
    services.scheme_save(
        store=store,
        by=manager,
        name="2026 提成方案",
        valid_from=last.key,
        unit_commission="500",
        gross_profit_percent="5",
        unit_rates=[{"body_type": "suv", "amount": "800"}],
        tiers=[{"min_achievement": "100", "amount": "2000"}],
    )

    # A car arrives (the manager enters it).
    login(page, manager)
    page.goto("/stock/new/")
    vin = stock_vin()
    page.fill("input[name=vin]", vin)
    page.select_option("select[name=vehicle_model]", str(model.pk))
    page.fill("input[name=colour]", "珍珠白")
    page.fill("input[name=cost]", "180000")
    page.fill("input[name=arrived_on]", str(last.start + timedelta(days=2)))
    page.click("[data-testid=car-form] button[type=submit]")
    page.wait_for_selector("[data-testid=car-status]")
    car = Car.objects.get(vin=vin)
    page.screenshot(path=str(SHOTS / "1-car-arrived.png"), full_page=True)

    # The consultant books an order that reserves it, leaving the cost to the car.
    consultant_page = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    ).new_page()
    login(consultant_page, consultant)
    consultant_page.goto("/sales/orders/new/")
    # The customer is a searchable picker (tom-select): type, then take the match.
    consultant_page.locator(".ts-control").first.click()
    consultant_page.keyboard.type("陈先生")
    consultant_page.locator(".ts-dropdown [data-testid=picker-detail]").first.click()
    assert consultant_page.locator("select[name=customer]").input_value() == str(customer.pk)
    consultant_page.select_option("select[name=vehicle_model]", str(model.pk))
    consultant_page.fill("input[name=order_date]", str(last.start + timedelta(days=4)))
    consultant_page.fill("input[name=amount]", "200000")
    consultant_page.select_option("select[name=car]", str(car.pk))
    consultant_page.screenshot(path=str(SHOTS / "2-order-form.png"), full_page=True)
    consultant_page.click("button:has-text('Book order')")
    consultant_page.wait_for_selector("[data-testid=order-car]")
    order = Order.objects.get()
    assert order.car == car and order.cost == Decimal("180000.00")
    assert vin in consultant_page.inner_text("[data-testid=order-car]")

    # Delivered: the VIN comes from the reserved car.
    consultant_page.fill(
        "form[action$='/deliver/'] input[name=delivered_on]", str(last.start + timedelta(days=6))
    )
    consultant_page.click("form[action$='/deliver/'] button")
    consultant_page.wait_for_selector("text=Delivered.")
    order.refresh_from_db()
    car.refresh_from_db()
    assert order.vin == vin and order.status == "delivered" and car.status == "sold"
    consultant_page.screenshot(path=str(SHOTS / "3-delivered.png"), full_page=True)
    consultant_page.context.close()

    # The manager closes the month, computes and approves the statement.
    page.goto(f"/scoring/ranking/?period={last.key}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=close-period]")
    page.wait_for_selector("[data-testid=closed-badge]")
    page.goto(f"/incentives/?period={last.key}")
    page.click("[data-testid=generate]")
    page.wait_for_selector("[data-testid=statements] a")
    page.click(f"[data-testid=statements] >> text={consultant}")
    page.wait_for_selector("[data-testid=lines]")
    assert "1,800.00" in page.inner_text("[data-testid=statement-total]")  # 800 SUV + 5 % of 20,000
    page.screenshot(path=str(SHOTS / "4-statement-draft.png"), full_page=True)
    page.click("[data-testid=approve]")
    page.wait_for_selector("[data-testid=statement-status] >> text=Approved")
    statement = Statement.objects.get()
    assert statement.status == "approved" and statement.total == Decimal("1800.00")
    page.goto("/dashboard/")
    page.wait_for_selector("[data-testid=stock-tile]")
    page.screenshot(path=str(SHOTS / "5-dashboard.png"), full_page=True)

    # The consultant opens it on his phone, in Chinese.
    consultant.language = "zh-hans"
    consultant.save(update_fields=["language"])
    login(phone, consultant)
    phone.goto("/incentives/")
    phone.wait_for_selector("[data-testid=my-statements]")
    phone.click(f"[data-testid=my-statements] >> text={last.key}")
    phone.wait_for_selector("[data-testid=lines]")
    text = phone.inner_text("main") if phone.query_selector("main") else phone.inner_text("body")
    assert "1,800.00" in text and "台数提成" in text
    phone.screenshot(path=str(SHOTS / "6-phone-statement-zh.png"), full_page=True)
