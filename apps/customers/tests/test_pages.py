from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.customers.models import Campaign, Customer, Opportunity

from .factories import make_campaign, make_customer, make_opportunity, make_vehicle_model

pytestmark = pytest.mark.django_db


def test_the_customer_list_runs_a_fixed_number_of_queries(client_as, store, manager, consultant):
    client = client_as(manager)
    make_customer(store, consultant)
    with CaptureQueriesContext(connection) as few:
        client.get("/customers/")
    for _ in range(30):
        make_customer(store, consultant)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/customers/").status_code == 200
    # session, user, count, one page of rows with balance subqueries: fixed.
    assert len(many) == len(few)


def test_the_pipeline_and_funnel_run_a_fixed_number_of_queries(client_as, store, manager, consultant):
    client = client_as(manager)
    make_opportunity(make_customer(store, consultant))
    counts = []
    for extra in (0, 15):
        for _ in range(extra):
            make_opportunity(make_customer(store, consultant), stage="test_drive")
        with CaptureQueriesContext(connection) as q:
            assert client.get("/customers/pipeline/").status_code == 200
            assert client.get("/customers/funnel/").status_code == 200
        counts.append(len(q))
    assert counts[0] == counts[1]


def test_the_list_exports_to_xlsx(client_as, store, manager, consultant):
    make_customer(store, consultant, name="导出客户")
    r = client_as(manager).get("/customers/?export=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_consultant_registers_a_customer_and_a_duplicate_shows_the_owner(
    client_as, store, consultant, consultant2
):
    client = client_as(consultant)
    r = client.post(
        "/customers/new/",
        {"name": "张三", "mobile": "13811112222", "kind": "person", "grade": "H", "source": "walk_in"},
    )
    assert r.status_code == 302
    customer = Customer.objects.get()
    assert customer.owner == consultant
    client = client_as(consultant2)
    r = client.post(
        "/customers/new/",
        {"name": "张三", "mobile": "13811112222", "kind": "person", "grade": "H", "source": "walk_in"},
    )
    assert r.status_code == 200 and "王伟" in r.content.decode()
    r = client.post(
        "/customers/new/",
        {"name": "李四", "mobile": "1381111", "kind": "person", "grade": "H", "source": "walk_in"},
    )
    assert r.status_code == 200 and Customer.objects.count() == 1


@pytest.mark.parametrize("who", ["other_manager", "other_consultant", "consultant2"])
def test_outsiders_get_404_on_customer_pages(request, client_as, store, consultant, who):
    customer = make_customer(store, consultant)
    opp = make_opportunity(customer)
    client = client_as(request.getfixturevalue(who))
    for url in (
        f"/customers/{customer.pk}/",
        f"/customers/{customer.pk}/edit/",
        f"/customers/{customer.pk}/opportunities/new/",
        f"/customers/opportunities/{opp.pk}/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "x"}).status_code == 404, url
    assert (
        client.post(
            f"/customers/opportunities/{opp.pk}/stage/", {"stage": "lost", "lost_reason": "x"}
        ).status_code
        == 404
    )
    assert client.post(f"/customers/pool/{customer.pk}/claim/").status_code == 404
    opp.refresh_from_db()
    assert opp.stage == "new"


def test_customer_service_reads_a_customer_file_but_cannot_edit(client_as, store, consultant, cs_agent):
    customer = make_customer(store, consultant)
    client = client_as(cs_agent)
    assert client.get(f"/customers/{customer.pk}/").status_code == 200
    assert client.get(f"/customers/{customer.pk}/edit/").status_code == 403


def test_a_manager_transfers_a_customer_from_its_page(client_as, store, manager, consultant, consultant2):
    customer = make_customer(store, consultant)
    r = client_as(manager).post(
        f"/customers/{customer.pk}/transfer/", {"to_owner": consultant2.pk, "reason": "休假"}
    )
    assert r.status_code == 302
    customer.refresh_from_db()
    assert customer.owner == consultant2


def test_a_consultant_claims_from_the_pool(client_as, store, consultant):
    customer = make_customer(store, None)
    client = client_as(consultant)
    assert customer.name in client.get("/customers/pool/").content.decode()
    assert client.post(f"/customers/pool/{customer.pk}/claim/").status_code == 302
    customer.refresh_from_db()
    assert customer.owner == consultant


def test_my_day_lists_due_today_then_overdue_follow_ups(client_as, store, consultant):
    today = timezone.localdate()
    make_customer(store, consultant, name="逾期客户", next_follow_up=today - timedelta(days=2))
    make_customer(store, consultant, name="今日客户", next_follow_up=today)
    page = client_as(consultant).get("/customers/my-day/").content.decode()
    assert page.index("今日客户") < page.index("逾期客户")


def test_an_opportunity_logged_on_the_page_is_scored_and_on_the_board(client_as, store, manager, consultant):
    customer = make_customer(store, consultant)
    r = client_as(consultant).post(
        f"/customers/{customer.pk}/opportunities/new/",
        {
            "stage": "showroom",
            "urgency": 5,
            "purchase_time": "week",
            "purchase_cycle": "replace",
            "decision_maker_known": "on",
            "budget_confirmed": "on",
        },
    )
    assert r.status_code == 302
    opp = Opportunity.objects.get()
    assert opp.score == 100 and opp.stage == "showroom"
    board = client_as(manager).get("/customers/pipeline/").content.decode()
    assert customer.name in board


def test_campaigns_show_cost_per_lead_and_a_dash_without_deals(client_as, store, manager, consultant):
    campaign = make_campaign(store, name="秋季车展")
    make_customer(store, consultant, campaign=campaign)
    make_customer(store, consultant, campaign=campaign)
    page = client_as(manager).get("/customers/campaigns/").content.decode()
    assert "秋季车展" in page and "15,000.00" in page and "—" in page


def test_each_source_channel_shows_cost_leads_qualified_rate_deals_and_cost_per_lead_and_deal(
    client_as, store, other_store, manager, consultant, other_consultant
):
    from apps.customers.selectors import source_stats
    from apps.sales.models import Order

    make_campaign(store, name="车展", source="auto_show", cost=Decimal("30000"))
    make_campaign(store, name="秋季车展", source="auto_show", cost=Decimal("10000"))
    make_campaign(other_store, name="外店车展", source="auto_show", cost=Decimal("99000"))
    shows = [make_customer(store, consultant, source="auto_show") for _ in range(4)]
    make_opportunity(shows[0])  # qualified: routed to sales
    make_opportunity(shows[1])
    Order.objects.create(
        store=store,
        customer=shows[0],
        consultant=consultant,
        vehicle_model=make_vehicle_model(),
        order_date=timezone.localdate(),
        amount=Decimal("150000"),
        cost=Decimal("140000"),
    )
    make_customer(store, consultant, source="walk_in")
    make_customer(other_store, other_consultant, source="auto_show")
    response = client_as(manager).get("/customers/campaigns/")
    rows = {r["source"]: r for r in response.context["sources"]}
    show = rows["auto_show"]
    assert (show["cost"], show["leads"], show["qualified"], show["deals"]) == (Decimal("40000"), 4, 2, 1)
    assert (show["qualified_rate"], show["conversion"]) == (Decimal("0.50"), Decimal("0.25"))
    assert (show["cost_per_lead"], show["cost_per_deal"]) == (Decimal("10000.00"), Decimal("40000.00"))
    walk_in = rows["walk_in"]
    assert (walk_in["cost"], walk_in["leads"], walk_in["cost_per_deal"]) == (0, 1, None)
    assert 'data-source="auto_show"' in response.content.decode()
    assert source_stats(Customer.objects.none(), Campaign.objects.none()) == []


def test_a_key_account_gets_strategy_and_evaluation_cards(client_as, store, consultant):
    customer = make_customer(store, consultant, kind="company", name="某物流公司")
    client = client_as(consultant)
    assert client.post(f"/customers/{customer.pk}/strategy/", {"needs": "20台轻客"}).status_code == 302
    r = client.post(
        f"/customers/{customer.pk}/evaluation/",
        {"month": "2026-10", "purchases": "0", "satisfaction": 4, "relationship": 4, "payment_behaviour": 5},
    )
    assert r.status_code == 302
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "20台轻客" in page and "2026-10" in page


def test_an_excel_import_registers_rows_and_reports_duplicates(client_as, store, consultant, consultant2):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    make_customer(store, consultant2, mobile="13900000009")
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "mobile", "grade"])
    sheet.append(["甲", "13900000001", "H"])
    sheet.append(["乙", "13900000009", "A"])  # owned by 李娜 already
    sheet.append(["丙", "12345", "B"])
    out = BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("c.xlsx", out.getvalue())
    r = client_as(consultant).post("/customers/import/", {"file": upload})
    page = r.content.decode()
    assert "Row 3" in page and "李娜" in page and "Row 4" in page
    assert list(Customer.objects.filter(owner=consultant).values_list("name", flat=True)) == ["甲"]
    r = client_as(consultant).post("/customers/import/", {"file": SimpleUploadedFile("x.xlsx", b"not excel")})
    assert "not an Excel" in r.content.decode()


def test_the_customer_list_puts_prospects_to_call_first_and_filters_by_owner_and_follow_up(
    client_as, store, manager, consultant, consultant2
):
    today = timezone.localdate()
    bought = make_customer(store, consultant, name="已购", next_follow_up=today - timedelta(days=9))
    Customer.objects.filter(pk=bought.pk).update(status="customer")
    make_customer(store, consultant, name="逾期", next_follow_up=today - timedelta(days=2))
    make_customer(store, consultant2, name="今天", next_follow_up=today)
    unplanned = make_customer(store, consultant, name="未排")
    Customer.objects.filter(pk=unplanned.pk).update(next_follow_up=None)
    lost = make_customer(store, consultant, name="战败", next_follow_up=today - timedelta(days=5))
    Customer.objects.filter(pk=lost.pk).update(status="lost")
    client = client_as(manager)

    def names(**params):
        return [c.name for c in client.get("/customers/", params).context["object_list"]]

    assert names()[:3] == ["逾期", "今天", "未排"]  # prospects by follow-up date, then the rest
    assert names(follow_up="overdue") == ["逾期", "已购"]  # live customers only: not the lost one
    assert names(follow_up="today") == ["今天"]
    assert names(follow_up="none") == ["未排"]
    assert set(names(owner=consultant2.pk)) == {"今天"}
    assert client.get("/customers/", {"owner": "x"}).status_code == 200  # a bad value is ignored
    # A consultant's owner choices hold only himself.
    form = client_as(consultant).get("/customers/").context["filter"].form
    assert list(form.fields["owner"].queryset) == [consultant]


def test_campaigns_sort_by_their_ratios_filter_and_export(client_as, store, manager, consultant):
    cheap = make_campaign(store, name="线上投放", cost=Decimal("1000"))
    dear = make_campaign(store, name="秋季车展", cost=Decimal("90000"))
    for _ in range(2):
        make_customer(store, consultant, campaign=cheap)
    make_customer(store, consultant, campaign=dear)
    client = client_as(manager)
    rows = client.get("/customers/campaigns/", {"sort": "-cost_per_lead"}).context["object_list"]
    assert [c.name for c in rows] == ["秋季车展", "线上投放"]
    assert rows[0].cost_per_lead == Decimal("90000.00") and rows[1].cost_per_lead == Decimal("500.00")
    assert [c.name for c in client.get("/customers/campaigns/", {"q": "线上"}).context["object_list"]] == [
        "线上投放"
    ]
    export = client.get("/customers/campaigns/", {"q": "线上", "export": "csv"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "线上投放" in body and "秋季车展" not in body and "500.00" in body
