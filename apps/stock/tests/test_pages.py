"""Stock pages: list (fixed queries, export), arrival, OEM import, overview, transfers, scoping."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from apps.customers.tests.factories import make_customer, make_vehicle_model
from apps.sales.tests.factories import make_order
from apps.stock import selectors
from apps.stock.models import Car, Transfer

from .factories import make_car, stock_vin

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list[object]]) -> BytesIO:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "arrivals.xlsx"
    return out


def test_the_car_list_runs_a_fixed_number_of_queries_and_flags_old_cars(client_as, store, manager):
    web = client_as(manager)
    make_car(store, manager, arrived_on=timezone.localdate() - timedelta(days=120))
    web.get("/stock/")
    with CaptureQueriesContext(connection) as few:
        page = web.get("/stock/")
    assert "old" in page.content.decode()
    for _ in range(6):
        make_car(store, manager)
    with CaptureQueriesContext(connection) as many:
        web.get("/stock/")
    assert len(many) == len(few)  # session, user, menu, count, rows, settings: not per car


def test_the_export_streams_every_car(client_as, store, manager):
    car = make_car(store, manager)
    response = client_as(manager).get("/stock/?export=xlsx")
    assert response.streaming
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][0] == "VIN" and rows[1][0] == car.vin


def test_a_manager_puts_an_arrived_car_in_stock(client_as, store, manager):
    model = make_vehicle_model()
    vin = stock_vin()
    body = {
        "vin": vin,
        "vehicle_model": model.pk,
        "colour": "白",
        "cost": "150000",
        "arrived_on": str(timezone.localdate()),
    }
    response = client_as(manager).post("/stock/new/", body)
    assert response.status_code == 302
    assert Car.objects.get().vin == vin
    bad = client_as(manager).post("/stock/new/", {**body, "vin": "LSVAB2BM1P5000001"})
    assert bad.status_code == 200 and "check digit" in bad.content.decode()


def test_a_consultant_cannot_receive_cars(client_as, consultant):
    assert client_as(consultant).get("/stock/new/").status_code == 403


def test_the_import_previews_then_saves_all_or_nothing(client_as, store, manager):
    make_vehicle_model(brand="大众", name="帕萨特")
    web = client_as(manager)
    good = [stock_vin(), "大众 帕萨特", "黑", "豪华版", 180000, "2026-11-01"]
    header = ["车架号", "车型", "颜色", "配置", "采购价", "到店日期"]
    dry = web.post("/stock/import/", {"file": _xlsx([header, good]), "confirm": "0"})
    assert dry.status_code == 200 and good[0] in dry.content.decode() and not Car.objects.exists()
    broken = web.post(
        "/stock/import/", {"file": _xlsx([header, good, ["X", "未知", "", "", -1, ""]]), "confirm": "1"}
    )
    assert "Row 3" in broken.content.decode() and not Car.objects.exists()
    done = web.post("/stock/import/", {"file": _xlsx([header, good]), "confirm": "1"})
    assert done.status_code == 302 and Car.objects.get().trim == "豪华版"
    junk = BytesIO(b"not a workbook")
    junk.name = "x.xlsx"
    assert "not an Excel" in web.post("/stock/import/", {"file": junk}).content.decode()


def test_another_stores_car_is_404(client_as, store, manager, other_manager):
    car = make_car(store, manager)
    web = client_as(other_manager)
    assert web.get(f"/stock/{car.pk}/").status_code == 404
    assert web.post(f"/stock/{car.pk}/cost/", {"cost": "1", "reason": "x"}).status_code == 404


def test_the_overview_gives_days_of_supply_the_coefficient_and_holding_cost(
    client_as, store, manager, consultant
):
    today = timezone.localdate()
    model = make_vehicle_model()
    for days in (10, 40, 100):
        make_car(store, manager, model, arrived_on=today - timedelta(days=days), cost=Decimal("100000"))
    sold = make_car(store, manager, model, arrived_on=today - timedelta(days=5))
    order = make_order(make_customer(store, consultant), vehicle_model=model, car=sold, order_date=today)
    from apps.sales import services

    services.order_deliver(order=order, delivered_on=today, by=consultant)
    data = selectors.overview(store, today)
    assert data.held == 3 and data.over_limit == 1 and data.sold_month == 1
    assert data.buckets == {"0-30": 1, "31-60": 1, "61-90": 0, "90+": 1}
    assert data.lines[0].days_of_supply == Decimal("90.0")  # 3 cars ÷ (1 sale ÷ 30 days)
    assert data.coefficient == Decimal("3.00") and data.coefficient_status == "alert"
    # 150 car-days × ¥100,000 × 6 % ÷ 365
    assert data.holding_cost == Decimal("2465.75")
    with CaptureQueriesContext(connection) as queries:
        selectors.overview(store, today)
    assert len(queries) == 3
    page = client_as(manager).get("/stock/overview/")
    assert page.status_code == 200 and "3.00" in page.content.decode()


def test_the_transfers_page_shows_other_stores_only_as_counts(
    client_as, store, other_store, manager, other_manager
):
    model = make_vehicle_model()
    make_car(other_store, other_manager, model, colour="星空蓝", cost=Decimal("123456.78"))
    web = client_as(manager)
    page = web.get("/stock/transfers/").content.decode()
    assert "星空蓝" in page and "123,456" not in page and "123456" not in page
    response = web.post(
        "/stock/transfers/", {"from_store": other_store.pk, "vehicle_model": model.pk, "colour": "星空蓝"}
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert client_as(other_manager).post(f"/stock/transfers/{transfer.pk}/approve/").status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "in_transit"


def test_the_manager_dashboard_has_a_stock_tile(client_as, store, manager):
    make_car(store, manager, arrived_on=timezone.localdate() - timedelta(days=95))
    page = client_as(manager).get("/dashboard/").content.decode()
    assert 'data-testid="stock-tile"' in page and "over 90 days" in page
