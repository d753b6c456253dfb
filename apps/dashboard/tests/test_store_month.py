"""The monthly store summary (SPEC §7, issue 11): each section's figures on records made
here, 环比 / 同比 across a year boundary, a month without sales, agreement with the plan
tracking and the scorecards, the query count, freezing, and the page, files and API."""

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from apps.activities.models import Visit
from apps.aftersales.models import Complaint, FollowUp, ServiceVisit
from apps.aftersales.selectors import kpis
from apps.aftersales.tests.factories import deliver, make_model
from apps.catalog.models import VehicleModel
from apps.customers.models import Campaign, Customer
from apps.dashboard import services
from apps.dashboard.exports import pdf_bytes
from apps.dashboard.store_month import store_month
from apps.plans.models import Plan, Target
from apps.plans.selectors import Filters, Spec, actuals
from apps.sales.models import Allocation, Order, Payment, Receivable
from apps.scoring.periods import parse
from apps.scoring.selectors import scorecards

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
_n = itertools.count(1)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SH)


def model(name: str, body: str) -> VehicleModel:
    return VehicleModel.objects.create(brand="丰田", name=name, body_type=body, msrp=200000, cost=180000)


def customer(store, owner, **extra) -> Customer:
    n = next(_n)
    return Customer.objects.create(store=store, owner=owner, name=f"客户{n}", mobile=f"139{n:08d}", **extra)


def order(store, consultant, vm, day, amount=200000, cost=180000, status="open", cust=None, **extra) -> Order:
    return Order.objects.create(
        store=store,
        customer=cust or customer(store, consultant, status="customer"),
        consultant=consultant,
        vehicle_model=vm,
        order_date=day,
        amount=Decimal(amount),
        cost=Decimal(cost),
        status=status,
        cancel_reason="换车" if status == "cancelled" else "",
        **extra,
    )


def collect(o: Order, day: date, amount) -> None:
    r = Receivable.objects.create(
        store=o.store,
        order=o,
        customer=o.customer,
        responsible=o.consultant,
        due_date=day,
        amount=Decimal(amount),
    )
    p = Payment.objects.create(
        store=o.store, customer=o.customer, amount=Decimal(amount), received_on=day, recorded_by=o.consultant
    )
    Allocation.objects.create(payment=p, receivable=r, amount=Decimal(amount))


def visit(store, consultant, cust, start: datetime, channel="showroom", **extra) -> Visit:
    return Visit.objects.create(
        store=store,
        consultant=consultant,
        customer=cust,
        channel=channel,
        started_at=start,
        ended_at=start + timedelta(minutes=30),
        **extra,
    )


def month_target(store, by, measure, first: date, value) -> Target:
    plan = Plan.objects.get_or_create(
        store=store, year=first.year, defaults={"created_by": by, "status": "approved"}
    )[0]
    period = parse(f"{first:%Y-%m}")
    return Target.objects.create(
        plan=plan,
        period_kind="month",
        period_start=period.start,
        period_end=period.end,
        scope_type="store",
        measure=measure,
        value=Decimal(value),
    )


@pytest.fixture
def sales_data(store, manager, consultant, consultant2):
    """January 2027 against December 2026 (环比, across the year end) and January 2026 (同比)."""
    sedan, suv = model("凯美瑞", "sedan"), model("RAV4", "suv")
    order(store, consultant, sedan, date(2027, 1, 5), 200000, 180000)
    order(store, consultant, suv, date(2027, 1, 9), 250000, 220000, settlement="loan")
    order(store, consultant2, suv, date(2027, 1, 31), 250000, 225000)
    order(store, consultant2, suv, date(2027, 1, 12), 260000, 230000, status="cancelled")
    order(store, consultant, sedan, date(2026, 12, 31), 200000, 181000)
    order(store, consultant, sedan, date(2026, 12, 1), 200000, 181000)
    o = order(store, consultant, suv, date(2026, 1, 15), 300000, 270000)
    collect(o, date(2027, 1, 20), "100000.00")
    month_target(store, manager, "units", date(2027, 1, 1), 4)
    month_target(store, manager, "revenue", date(2027, 1, 1), "800000")
    month_target(store, manager, "units", date(2027, 2, 1), 6)


def test_sales_this_month_against_last_month_across_the_year_end_and_last_year(store, sales_data):
    data = store_month(stores=[store], month_key="2027-01", today=date(2027, 2, 10))
    s = data["sales"]
    assert (data["prev_month"], data["yoy_month"]) == ("2026-12", "2026-01")
    units = s["units"]
    assert (units["value"], units["mom"], units["yoy"]) == (3, 2, 1)  # the cancelled order is not one
    assert (units["target"], units["gap"], units["mom_change"]) == (4, 1, 1)
    assert units["mom_pct"] == Decimal("0.5000") and units["yoy_pct"] == Decimal("2.0000")
    assert s["revenue"]["value"] == Decimal("700000") and s["revenue"]["mom"] == Decimal("400000")
    assert s["revenue"]["achievement"] == Decimal("0.8750")
    assert s["gross_profit"]["value"] == Decimal("75000")
    assert s["cost"]["value"] == Decimal("625000")
    assert [(r["vehicle_model"], r["units"], r["share"]) for r in s["by_model"]] == [
        ("丰田 RAV4", 2, Decimal("0.6667")),
        ("丰田 凯美瑞", 1, Decimal("0.3333")),
    ]
    assert [(r["body_type"], r["units"], r["revenue"]) for r in s["by_body_type"]] == [
        ("suv", 2, Decimal("500000")),
        ("sedan", 1, Decimal("200000")),
    ]
    assert s["best_model"]["vehicle_model"] == "丰田 RAV4"
    assert {r["settlement"]: r["units"] for r in s["by_settlement"]} == {"full": 2, "loan": 1}
    assert s["cancellations"]["value"] == 1
    assert data["money"]["collections"]["value"] == Decimal("100000.00")
    assert data["next_targets"]["units"] == 6
    assert [t["units"] for t in data["trend"]][-1] == 3 and len(data["trend"]) == 12


def test_a_month_without_sales_has_zero_counts_and_no_ratios(store, sales_data):
    data = store_month(stores=[store], month_key="2027-03", today=date(2027, 4, 2))
    s = data["sales"]
    assert s["units"]["value"] == 0 and s["units"]["mom"] == 0  # February had none either
    assert s["units"]["mom_pct"] is None  # 0 → 0 is no % change, not 0 %
    assert s["margin"]["value"] is None
    assert s["by_model"] == [] and s["best_model"] is None
    assert s["units"]["achievement"] is None  # no target for March
    sh, cs = data["showroom"], data["service"]
    assert sh["conversion"]["value"] is None
    assert cs["satisfaction"]["value"] is None and cs["resolution_rate"]["value"] is None
    assert cs["on_time_rate"]["value"] is None and cs["contact_rate"]["value"] is None
    assert data["aftersales"]["on_time_rate"]["value"] is None
    assert data["people"]["late_entry_rate"]["value"] is None
    assert data["marketing"]["cost_per_lead"] is None


def test_figures_agree_with_plan_tracking_and_scorecards(store, sales_data, consultant, consultant2):
    visit(store, consultant, customer(store, consultant), at(date(2027, 1, 6)), late=True)
    visit(store, consultant2, customer(store, consultant2), at(date(2027, 1, 7)))
    data = store_month(stores=[store], month_key="2027-01", today=date(2027, 2, 10))
    period = parse("2027-01")
    specs = [
        Spec(m, period.start, period.end, Filters())
        for m in ("units", "revenue", "gross_profit", "collections")
    ]
    units, revenue, gp, collections = actuals(store, specs)
    assert data["sales"]["units"]["value"] == units
    assert data["sales"]["revenue"]["value"] == revenue
    assert data["sales"]["gross_profit"]["value"] == gp
    assert data["money"]["collections"]["value"] == collections
    cards = [c for c in scorecards(stores=[store], periods=[period]).values()]
    assert sum(c.figures["units"] for c in cards) == data["sales"]["units"]["value"]
    assert sum(c.figures["sales_revenue"] for c in cards) == data["sales"]["revenue"]["value"]
    assert sum(c.figures["visits"] for c in cards) == data["people"]["visits"]["value"] == 2
    assert data["people"]["late_entry_rate"]["value"] == Decimal("0.5000")
    assert [r["name"] for r in data["people"]["ranking"]] == [
        c.name for c in sorted(cards, key=lambda c: (c.rank_store or 99, c.name))
    ]


def test_walk_ins_count_customers_once_and_split_new_from_returning(store, consultant):
    old, new, phone_only = (customer(store, consultant) for _ in range(3))
    visit(store, consultant, old, at(date(2026, 11, 20)))
    visit(store, consultant, old, at(date(2027, 1, 3)))
    visit(store, consultant, new, at(date(2027, 1, 4)))
    visit(store, consultant, new, at(date(2027, 1, 8), 15), channel="test_drive")
    visit(store, consultant, phone_only, at(date(2027, 1, 9)), channel="phone")
    data = store_month(stores=[store], month_key="2027-01", today=date(2027, 2, 1))["showroom"]
    assert data["walk_ins"]["value"] == 2
    assert (data["new"]["value"], data["returning"]["value"]) == (1, 1)
    assert data["test_drives"]["value"] == 1
    assert data["walk_ins"]["mom"] == 0
    # leads are the files created (now, in this test: December 2026 or whenever it runs)


def test_leads_by_source_and_campaign_cost_per_lead(store, consultant):
    jan = date(2027, 1, 10)
    camp = Campaign.objects.create(
        store=store, name="新春车展", starts_on=jan, ends_on=jan, cost=Decimal("9000")
    )
    leads = [customer(store, consultant, source="auto_show", campaign=camp) for _ in range(3)]
    customer(store, consultant, source="phone")
    Customer.objects.filter(store=store).update(created_at=at(jan))
    order(store, consultant, model("卡罗拉", "sedan"), jan, cust=leads[0])
    data = store_month(stores=[store], month_key="2027-01", today=date(2027, 2, 1))
    sh, mk = data["showroom"], data["marketing"]
    assert sh["leads"]["value"] == 4  # the order's own new customer file is the fifth? no: cust given
    assert {r["source"]: (r["leads"], r["converted"]) for r in sh["by_source"]} == {
        "auto_show": (3, 1),
        "phone": (1, 0),
    }
    assert sh["conversion"]["value"] == Decimal("0.2500")
    (c,) = mk["campaigns"]
    assert (c["leads"], c["deals"], c["cost_per_lead"], c["cost_per_deal"]) == (
        3,
        1,
        Decimal("3000.00"),
        Decimal("9000.00"),
    )


def test_customer_service_callbacks_satisfaction_and_complaints(store, consultant, cs_agent, admin_user):
    jan, dec = date(2027, 1, 10), date(2026, 12, 10)
    c = customer(store, consultant)

    def call(due, status="done", outcome="reached", satisfaction=None, done_on=None, attempts=1):
        return FollowUp.objects.create(
            store=store,
            customer=customer(store, consultant),
            rule="post_sale_7d",
            due_date=due,
            status=status,
            outcome=outcome,
            satisfaction=satisfaction,
            attempts=attempts,
            assignee=cs_agent,
            completed_at=at(done_on or due) if status in ("done", "failed") else None,
        )

    call(jan, satisfaction=5)
    call(jan, satisfaction=4, done_on=jan + timedelta(days=2))  # late
    call(jan, status="failed", outcome="no_answer", attempts=3)
    call(dec, satisfaction=3)
    for category, resolved in (("waiting_time", True), ("waiting_time", False), ("parts", True)):
        comp = Complaint.objects.create(store=store, customer=c, category=category, description="等太久")
        Complaint.objects.filter(pk=comp.pk).update(
            opened_at=at(jan),
            status="resolved" if resolved else "open",
            resolved_at=at(jan) + timedelta(hours=6) if resolved else None,
        )
    cs = store_month(stores=[store], month_key="2027-01", today=date(2027, 2, 1))["service"]
    assert cs["callbacks_due"]["value"] == 3
    assert cs["on_time"]["value"] == 2 and cs["on_time_rate"]["value"] == Decimal("0.6667")
    assert cs["contact_rate"]["value"] == Decimal("0.4000")  # 2 reached of 5 attempts
    assert cs["satisfaction"]["value"] == Decimal("4.50") and cs["satisfaction"]["mom"] == Decimal("3.00")
    assert cs["satisfaction_pct"]["value"] == Decimal("0.9000")
    assert cs["satisfaction_pct"]["mom_change"] == Decimal("0.3000")  # +30 percentage points
    assert cs["responses"] == 2
    assert (cs["complaints"]["value"], cs["resolved"]["value"]) == (3, 2)
    assert cs["resolution_rate"]["value"] == Decimal("0.6667")
    assert cs["resolution_hours"]["value"] == Decimal("6.0")
    assert [(r["category"], r["received"]) for r in cs["by_category"]] == [("waiting_time", 2), ("parts", 1)]
    # The same definitions as the after-sales KPI page.
    (row,) = kpis(user=admin_user, start=date(2027, 1, 1), end=date(2027, 1, 31))["per_store"]
    assert Decimal(row["satisfaction"]).quantize(Decimal("0.01")) == cs["satisfaction"]["value"]
    assert row["due"] == cs["callbacks_due"]["value"] and row["on_time"] == cs["on_time"]["value"]


def test_service_visits_by_kind_on_time_maintenance_and_lapsed_owners(store, consultant):
    vm = make_model(first_service_months=3, service_interval_months=6)
    punctual = deliver(store=store, consultant=consultant, delivered_on=date(2026, 10, 1), model=vm)
    late = deliver(store=store, consultant=consultant, delivered_on=date(2026, 9, 1), model=vm)
    lapsed = deliver(store=store, consultant=consultant, delivered_on=date(2026, 1, 10), model=vm)
    # first service due 2027-01-01: on time up to 2027-01-08
    ServiceVisit.objects.create(
        store=store, vehicle=punctual, date=date(2027, 1, 8), mileage=5000, kind="first_service"
    )
    # due 2026-12-01; 2027-01-09 is more than 7 days after
    ServiceVisit.objects.create(
        store=store, vehicle=late, date=date(2027, 1, 9), mileage=6000, kind="first_service"
    )
    ServiceVisit.objects.create(
        store=store, vehicle=late, date=date(2027, 1, 20), mileage=6100, kind="repair", amount=Decimal("800")
    )
    af = store_month(stores=[store], month_key="2027-01", today=date(2027, 2, 1))["aftersales"]
    assert af["visits"]["value"] == 3
    assert {r["kind"]: r["visits"] for r in af["by_kind"]} == {"first_service": 2, "repair": 1}
    assert af["revenue"]["value"] == Decimal("800")
    assert (af["maintenance"]["value"], af["on_time"]["value"]) == (2, 1)
    assert af["on_time_rate"]["value"] == Decimal("0.5000")
    assert af["lapsed"]["value"] == 1 and lapsed.pk  # delivered 2026-01-10, never serviced
    assert af["lapsed"]["mom"] == 0  # at 2026-12-31 it was not yet 12 months


def _bulk_month(store, consultant, n: int) -> None:
    vm = VehicleModel.objects.first() or model("凯美瑞", "sedan")
    for i in range(n):
        c = customer(store, consultant, source="walk_in")
        o = order(store, consultant, vm, date(2027, 1, 1 + i % 28), cust=c)
        collect(o, date(2027, 1, 1 + i % 28), 1000)
        visit(store, consultant, c, at(date(2027, 1, 1 + i % 28)))
        FollowUp.objects.create(
            store=store, customer=c, rule="care_30d", due_date=date(2027, 1, 2), satisfaction=4
        )
        Complaint.objects.create(store=store, customer=c, category="price", description="贵")


def test_the_query_count_does_not_grow_with_the_records(store, consultant, django_assert_max_num_queries):
    _bulk_month(store, consultant, 2)
    with CaptureQueriesContext(connection) as small:
        store_month(stores=[store], month_key="2027-01", today=date(2027, 2, 1))
    _bulk_month(store, consultant, 12)
    with CaptureQueriesContext(connection) as large:
        store_month(stores=[store], month_key="2027-01", today=date(2027, 2, 1))
    # Why this many: the saved text (1), plan actuals (2 per store: sales and collections),
    # targets (1), by model (1), cancellations (1), walk-ins (1), leads (1), campaigns (1),
    # callbacks (1), complaints (1), service visits (1), maintenance (1), lapsed (1),
    # scorecards (14), expenses (1), budgets (2), aging (1), stock (1), complaint escalation
    # breaches (1), appointments (1), referrals and their rewards (2), training sessions and
    # attendances (2) = 39.
    assert len(large) == len(small) <= 39


def test_a_closed_month_keeps_its_figures(store, sales_data, manager, consultant):
    services.store_month_text_save(
        store=store,
        month_key="2027-01",
        by=manager,
        problems="展厅客流下降",
        measures="加强邀约",
        next_month="冲刺春节",
    )
    services.store_month_close(store=store, month_key="2027-01", by=manager, today=date(2027, 2, 2))
    order(store, consultant, VehicleModel.objects.first(), date(2027, 1, 20))
    data = store_month(stores=[store], month_key="2027-01", today=date(2027, 2, 3))
    assert data["closed"] and data["sales"]["units"]["value"] == 3
    assert data["sales"]["revenue"]["value"] == Decimal("700000") and isinstance(
        data["sales"]["revenue"]["value"], Decimal
    )
    assert data["text"].problems == "展厅客流下降"
    with pytest.raises(Exception, match="closed"):
        services.store_month_text_save(
            store=store, month_key="2027-01", by=manager, problems="", measures="", next_month=""
        )


def test_a_month_that_has_not_ended_cannot_be_closed(store, manager):
    with pytest.raises(Exception, match="ended"):
        services.store_month_close(store=store, month_key="2027-01", by=manager, today=date(2027, 1, 31))


# ---------------------------------------------------------------------------
# Page, files and API


def test_the_page_for_managers_and_finance_not_for_consultants_nor_other_stores(
    client_as, store, other_store, sales_data, manager, finance, consultant, other_manager
):
    url = f"/reports/store-month/{store.pk}/2027-01/"
    page = client_as(manager).get(url)
    assert page.status_code == 200
    assert "丰田 RAV4" in page.content.decode() and "<svg" in page.content.decode()
    assert client_as(finance).get(url).status_code == 200
    assert client_as(consultant).get(url).status_code == 403
    assert client_as(other_manager).get(url).status_code == 404
    assert client_as(other_manager).get(f"/reports/store-month/{store.pk}/2027-13/").status_code == 404
    assert client_as(manager).get(f"/reports/store-month/{store.pk}/2027-13/").status_code == 404


def test_the_manager_saves_his_text_on_the_page(client_as, store, manager):
    url = f"/reports/store-month/{store.pk}/2026-10/"
    response = client_as(manager).post(
        url, {"problems": "销售顾问协作不够", "measures": "每周例会", "next_month": "国庆促销"}
    )
    assert response.status_code == 302
    assert "销售顾问协作不够" in client_as(manager).get(url).content.decode()


def test_xlsx_has_a_sheet_per_section_with_exact_numbers(client_as, store, sales_data, manager):
    response = client_as(manager).get(f"/reports/store-month/{store.pk}/2027-01/?format=xlsx")
    assert response.status_code == 200
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    # 11 sections (with stock, appointments, referrals and training) and the summary.
    assert len(book.sheetnames) == 12
    sales = book[book.sheetnames[0]]
    rows = {r[0]: r for r in sales.iter_rows(values_only=True) if r and r[0]}
    assert rows["Units sold"][1:4] == (3, 2, 1)
    assert rows["Sales revenue"][1] == 700000


def test_pdf_is_rendered_with_the_cjk_font(client_as, store, sales_data, manager):
    response = client_as(manager).get(f"/reports/store-month/{store.pk}/2027-01/?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # Uncompressed, the PDF names the fonts it embeds: the CJK one, so Chinese is not boxes.
    data = store_month(stores=[store], month_key="2027-01", today=date(2027, 2, 1))
    raw = pdf_bytes(data, [store.name], uncompressed_pdf=True)
    assert b"NotoSansCJK" in raw or b"NotoSerifCJK" in raw


def test_api_gives_the_contract_keys_and_null_ratios(
    api_as, store, other_store, sales_data, manager, other_manager
):
    response = api_as(manager).get(f"/api/v1/store-months/?store={store.pk}&month=2027-01")
    assert response.status_code == 200
    body = response.json()
    assert body["units"] == {"value": 3, "target": 4, "mom": 2, "yoy": 1}
    assert body["revenue"] == {
        "value": "700000.00",
        "target": "800000.00",
        "mom": "400000.00",
        "yoy": "300000.00",
    }
    assert body["gross_profit"]["value"] == "75000.00"
    assert body["by_model"][0]["vehicle_model"] and body["by_model"][0]["units"] == 2
    assert body["by_body_type"][0] == {
        "body_type": "suv",
        "units": 2,
        "revenue": "500000.00",
        "share": 0.6667,
    }
    assert body["walk_ins"] == {"total": 0, "new": 0, "returning": 0}
    assert body["satisfaction"]["average"] is None and body["satisfaction"]["responses"] == 0
    assert body["complaints"] == {"received": 0, "resolved": 0, "resolution_rate": None, "by_category": {}}
    assert body["service_visits"]["total"] == 0 and body["service_visits"]["by_kind"] == {}
    assert body["collections"] == {"value": "100000.00", "target": None}
    assert (
        api_as(other_manager).get(f"/api/v1/store-months/?store={store.pk}&month=2027-01").status_code == 404
    )
    assert api_as(manager).get("/api/v1/store-months/?month=2027-1x").status_code == 400
    assert api_as(manager).get("/api/v1/store-months/?store=x").status_code == 400
    xlsx = api_as(manager).get(f"/api/v1/store-months/?store={store.pk}&month=2027-01&format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")


def test_the_group_view_sums_the_users_stores(
    client_as, api_as, store, other_store, sales_data, other_consultant, admin_user
):
    order(other_store, other_consultant, VehicleModel.objects.first(), date(2027, 1, 3), 100000, 90000)
    data = store_month(stores=[store, other_store], month_key="2027-01", today=date(2027, 2, 1))
    assert data["sales"]["units"]["value"] == 4 and data["sales"]["revenue"]["value"] == Decimal("800000")
    assert data["sales"]["units"]["target"] == 4  # only store A has a plan
    assert client_as(admin_user).get("/reports/store-month/all/2027-01/").status_code == 200
    body = api_as(admin_user).get("/api/v1/store-months/?month=2027-01").json()
    assert body["units"]["value"] == 4 and sorted(body["stores"]) == sorted([store.pk, other_store.pk])


def test_stock_at_month_end_counts_cars_arrived_and_not_yet_sold(store, manager):
    from apps.stock.models import Car

    vm = model("卡罗拉", "sedan")
    for i, (arrived, sold) in enumerate(
        [(date(2026, 12, 5), None), (date(2026, 12, 20), date(2027, 1, 10)), (date(2027, 1, 15), None)]
    ):
        Car.objects.create(
            store=store,
            vin=f"LFV2A21K0R100{i:04d}",
            vehicle_model=vm,
            colour="白",
            cost=Decimal("100000"),
            arrived_on=arrived,
            sold_on=sold,
            status="sold" if sold else "in_stock",
        )
    st = store_month(stores=[store], month_key="2027-01", today=date(2027, 2, 1))["stock"]
    assert (st["held"]["value"], st["held"]["mom"]) == (2, 2)
    assert st["sold"]["value"] == 1 and st["cost"]["value"] == Decimal("200000")
    assert st["coverage"]["value"] == Decimal("2.00") and st["coverage"]["mom"] is None
