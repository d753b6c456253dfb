"""The pages: every one renders for its roles; the phone form, the report loop, the team view."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.activities import services
from apps.activities.models import DailyReport, Escalation, MarketReport, PlannedVisit, Visit

from . import factories as f

pytestmark = pytest.mark.django_db

CONSULTANT_PAGES = [
    "/activities/visits/",
    "/activities/visits/new/",
    "/activities/customers/search/?q=张",
    "/activities/reports/",
    "/activities/reports/day/",
    "/activities/routes/",
    "/activities/summaries/",
    "/activities/market/",
    "/activities/market/new/",
    "/activities/market/prices/",
    "/activities/escalations/",
]
MANAGER_PAGES = [
    "/activities/visits/",
    "/activities/reports/",
    "/activities/team/",
    "/activities/routes/",
    "/activities/summaries/",
    "/activities/market/",
    "/activities/market/prices/",
    "/activities/escalations/",
]


def test_every_page_renders_for_the_consultant(client_as, consultant, store):
    c = f.customer(store, consultant)
    f.visit(consultant, c)
    f.market(consultant, tags=",降价,")
    client = client_as(consultant)
    for url in CONSULTANT_PAGES:
        assert client.get(url).status_code == 200, url


def test_every_page_renders_for_the_manager(client_as, manager, consultant, store):
    f.visit(consultant, f.customer(store, consultant))
    client = client_as(manager)
    for url in MANAGER_PAGES:
        assert client.get(url).status_code == 200, url


def test_other_roles_are_refused(client_as, cs_agent, finance):
    for user in (cs_agent, finance):
        client = client_as(user)
        assert client.get("/activities/visits/new/").status_code == 403
        assert client.get("/activities/team/").status_code == 403


def test_the_phone_form_logs_a_visit_to_an_existing_customer(client_as, consultant, store):
    c = f.customer(store, consultant, name="周先生")
    client = client_as(consultant)
    form = client.get("/activities/visits/new/")
    initial = form.context["form"].initial
    assert initial["channel"] == "showroom" and initial["ended_at"] - initial["started_at"] == timedelta(
        minutes=30
    )
    fmt = "%Y-%m-%dT%H:%M"
    response = client.post(
        "/activities/visits/new/",
        {
            "customer": c.pk,
            "channel": "phone",
            "started_at": initial["started_at"].strftime(fmt),
            "ended_at": initial["ended_at"].strftime(fmt),
        },
    )
    assert response.status_code == 302
    v = Visit.objects.get()
    assert v.customer == c and v.channel == "phone" and v.minutes == 30 and not v.late


def test_the_phone_form_registers_a_new_prospect_inline(client_as, consultant, store):
    client = client_as(consultant)
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    response = client.post(
        "/activities/visits/new/",
        {
            "new_name": "冯女士",
            "new_mobile": "13700001111",
            "channel": "showroom",
            "started_at": (now - timedelta(minutes=20)).strftime(fmt),
            "ended_at": now.strftime(fmt),
        },
    )
    assert response.status_code == 302
    assert Visit.objects.get().customer.name == "冯女士"


def test_the_phone_form_shows_errors_on_the_fields_and_saves_nothing(client_as, consultant, store):
    c = f.customer(store, consultant)
    client = client_as(consultant)
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    response = client.post(
        "/activities/visits/new/",
        {
            "customer": c.pk,
            "channel": "phone",
            "started_at": now.strftime(fmt),
            "ended_at": (now - timedelta(hours=1)).strftime(fmt),
            "expense": "-5",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "expense" in errors
    response = client.post(
        "/activities/visits/new/",
        {
            "customer": c.pk,
            "channel": "phone",
            "started_at": now.strftime(fmt),
            "ended_at": (now - timedelta(hours=1)).strftime(fmt),
        },
    )
    assert "ended_at" in response.context["form"].errors
    assert not Visit.objects.exists()


def test_the_customer_search_finds_only_the_consultants_own_customers(
    client_as, consultant, consultant2, store
):
    f.customer(store, consultant, name="周先生")
    f.customer(store, consultant2, name="周女士")
    html = client_as(consultant).get("/activities/customers/search/?q=周").content.decode()
    assert "周先生" in html and "周女士" not in html


def test_the_daily_report_is_prefilled_submitted_commented_and_read(client_as, consultant, manager, store):
    c = f.customer(store, consultant)
    today = timezone.localdate()
    f.visit(consultant, c, start=f.aware(today, 0, 5), result="谈了价格")
    f.sale(c, consultant, today)
    f.pay(c, today, 50000, manager)
    client = client_as(consultant)
    page = client.get("/activities/reports/day/")
    figures = page.context["figures"]
    assert (figures.visits_count, len(figures.orders), figures.payments_total) == (1, 1, 50000)
    assert "谈了价格" in page.content.decode()
    client.post(
        "/activities/reports/day/", {"problems": "客户嫌贵", "help_needed": "需要额外优惠", "submit": "1"}
    )
    report = DailyReport.objects.get()
    assert report.submitted_at is not None
    assert Escalation.objects.get().assigned_to == manager

    mclient = client_as(manager)
    team = mclient.get("/activities/team/").content.decode()
    assert f"/activities/reports/{report.pk}/" in team
    mclient.post(f"/activities/reports/{report.pk}/", {"comment": "明天我来谈"})

    client = client_as(consultant)
    first = client.get("/activities/reports/day/").content.decode()
    assert "明天我来谈" in first and 'data-testid="unread"' in first
    second = client.get("/activities/reports/day/").content.decode()
    assert "明天我来谈" in second and 'data-testid="unread"' not in second


def test_comments_on_a_report_are_a_thread_and_the_manager_returns_to_his_list(
    client_as, consultant, manager, other_consultant, store
):
    report = services.daily_report_save(consultant=consultant, date=timezone.localdate(), submit=True)
    mclient = client_as(manager)
    listing = mclient.get("/activities/reports/", {"consultant": consultant.pk}).content.decode()
    assert f"/activities/reports/{report.pk}/?next=" in listing
    back_to = f"/activities/reports/?consultant={consultant.pk}"
    r = mclient.post(f"/activities/reports/{report.pk}/", {"comment": "第一条", "next": back_to})
    assert r.status_code == 302 and r["Location"] == back_to
    mclient.post(f"/activities/reports/{report.pk}/", {"comment": "第二条", "next": "https://evil.example/"})
    client = client_as(consultant)
    assert client.post(f"/activities/reports/{report.pk}/reply/", {"comment": "收到"}).status_code == 302
    assert (
        client_as(other_consultant)
        .post(f"/activities/reports/{report.pk}/reply/", {"comment": "x"})
        .status_code
        == 404
    )
    thread = [(c.author, c.body) for c in report.comments.all()]
    assert thread == [(manager, "第一条"), (manager, "第二条"), (consultant, "收到")]
    report.refresh_from_db()
    assert report.manager_comment == "第二条"  # the API's field: the latest manager comment
    page = client_as(manager).get(f"/activities/reports/{report.pk}/")
    assert [c.body for c in page.context["comments"]] == ["第一条", "第二条", "收到"]
    assert page.context["form"]["comment"].value() in (None, "")  # a new comment, not an edit
    assert manager.notifications.filter(kind="report_replied").count() == 1


def test_the_route_plan_counts_adherence(client_as, consultant, store):
    c1, c2 = f.customer(store, consultant, name="甲"), f.customer(store, consultant, name="乙")
    today = timezone.localdate()
    client = client_as(consultant)
    client.post("/activities/routes/", {"date": today.isoformat(), "customer": c1.pk})
    client.post("/activities/routes/", {"date": today.isoformat(), "customer": c2.pk, "purpose": "送资料"})
    assert PlannedVisit.objects.count() == 2
    f.visit(consultant, c1, start=f.earlier_today(40))
    page = client.get("/activities/routes/")
    assert (page.context["done"], page.context["planned"]) == (1, 2)


def test_the_market_feed_filters_by_brand_model_tag_and_period(client_as, consultant, manager):
    today = timezone.localdate()
    f.market(consultant, tags=",降价,金融,")
    f.market(
        consultant,
        competitor_brand="大众",
        competitor_model="途观L",
        tags=",suv,",
        date=today - timedelta(days=40),
    )
    client = client_as(manager)
    assert len(client.get("/activities/market/?tag=降价").context["object_list"]) == 1
    assert len(client.get("/activities/market/?competitor_brand=大众").context["object_list"]) == 1
    since = (today - timedelta(days=7)).isoformat()
    assert len(client.get(f"/activities/market/?date_from={since}").context["object_list"]) == 1
    assert len(client.get("/activities/market/?q=途观").context["object_list"]) == 1


def test_the_price_comparison_averages_per_competitor_model(client_as, consultant, manager):
    f.market(consultant, transaction_price=150000, retail_price=170000)
    f.market(consultant, transaction_price=154000, retail_price=170000)
    f.market(consultant, competitor_model="思域", transaction_price=120000, retail_price=130000)
    rows = list(client_as(manager).get("/activities/market/prices/").context["rows"])
    accord = next(r for r in rows if r["competitor_model"] == "雅阁")
    assert (
        accord["reports"] == 2 and accord["transaction_avg"] == 152000 and accord["transaction_min"] == 150000
    )


def test_a_consultant_writes_a_market_report_with_tags(client_as, consultant):
    client = client_as(consultant)
    response = client.post(
        "/activities/market/new/",
        {
            "date": timezone.localdate().isoformat(),
            "competitor_brand": "比亚迪",
            "competitor_model": "汉 EV",
            "retail_price": "189800",
            "transaction_price": "175000",
            "tags": "降价 电车，#金融",
        },
    )
    assert response.status_code == 302
    r = MarketReport.objects.get()
    assert r.tag_list == ["降价", "电车", "金融"] and r.discount == 14800


def _populate(store, consultants, n):
    for who in consultants:
        for i in range(n):
            c = f.customer(store, who, next_follow_up=timezone.localdate() - timedelta(days=1))
            f.visit(who, c, start=f.earlier_today(60 * (i + 1)), late=i % 2 == 0)
        f.report(who, timezone.localdate(), submitted_at=timezone.now(), on_time=True)


def test_the_team_view_runs_a_fixed_number_of_queries(client_as, manager, consultant, consultant2, store):
    client = client_as(manager)
    _populate(store, [consultant], 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/activities/team/").status_code == 200
    from apps.org.tests.factories import UserFactory

    more = [UserFactory(role="consultant", stores=[store]) for _ in range(4)]
    _populate(store, [consultant2, *more], 5)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/activities/team/")
    # session, user, the rows (one statement of subqueries), the store's cut-off (first
    # store + settings), today's reports, open escalations, plus the menu: fixed.
    assert len(many) == len(few)
    rows = {r.username: r for r in response.context["rows"]}
    assert rows["consultant2"].visits_today == 5 and rows["consultant2"].overdue_follow_ups == 5
    assert rows["consultant2"].late_30 == 3 and rows["consultant2"].reports_on_time_week == 1


@pytest.mark.parametrize(
    "url",
    ["/activities/visits/", "/activities/reports/", "/activities/market/"],
    ids=["visits", "reports", "market"],
)
def test_lists_run_a_fixed_number_of_queries(client_as, manager, consultant, store, url):
    client = client_as(manager)
    c = f.customer(store, consultant)
    today = timezone.localdate()
    f.visit(consultant, c)
    f.report(consultant, today)
    f.market(consultant)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(1, 30):
        f.visit(consultant, f.customer(store, consultant))
        f.report(consultant, today - timedelta(days=i))
        f.market(consultant)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    # session, user, filter choices, count, one page of rows (annotations inline): fixed.
    assert len(many) == len(few)


def test_the_filter_forms_offer_no_other_stores_people(
    client_as, consultant, manager, other_consultant, other_store
):
    f.customer(other_store, other_consultant, name="外店客户")
    for url in ("/activities/visits/", "/activities/market/", "/activities/reports/"):
        html = client_as(manager).get(url).content.decode()
        assert "赵敏" not in html and "外店客户" not in html, url


def test_a_manager_sets_his_stores_rules_and_not_another_stores(
    client_as, manager, consultant, store, other_store
):
    from apps.activities.models import ActivitySettings

    client = client_as(manager)
    assert client.get("/activities/settings/").context["form"].initial["late_entry_days"] == 2
    response = client.post(
        "/activities/settings/", {"late_entry_days": 1, "report_cutoff": "20:30", "lock_days": 5}
    )
    assert response.status_code == 302
    rules = ActivitySettings.objects.get(store=store)
    assert (rules.late_entry_days, rules.report_cutoff.strftime("%H:%M"), rules.lock_days) == (1, "20:30", 5)
    assert client.get(f"/activities/settings/?store={other_store.pk}").status_code == 404
    assert client.get("/activities/settings/?store=abc").status_code == 200
    assert (
        client.post("/activities/settings/", {"late_entry_days": -1, "report_cutoff": "x"}).status_code == 200
    )
    assert client_as(consultant).get("/activities/settings/").status_code == 403


def test_odd_query_parameters_never_cause_a_server_error(client_as, consultant, manager):
    client = client_as(consultant)
    for url in (
        "/activities/reports/day/2026-13-45/",
        "/activities/reports/day/nonsense/",
        "/activities/routes/?week=2026-02-31",
        "/activities/summaries/?month=2026-13",
        "/activities/customers/opportunities/?customer=abc",
        "/activities/visits/?date_from=yesterday&late=maybe",
        "/activities/market/?date_to=2026-99-01",
    ):
        assert client.get(url).status_code in (200, 404), url
    assert client_as(manager).get("/activities/routes/?week=x").status_code == 200


def test_the_visit_form_offers_the_customers_opportunities_and_moves_the_stage(client_as, consultant, store):
    c = f.customer(store, consultant)
    opp = f.opportunity(c, vehicle_model=f.vehicle_model())
    f.opportunity(f.customer(store, consultant, name="别人"))
    client = client_as(consultant)
    html = client.get(f"/activities/customers/opportunities/?customer={c.pk}").content.decode()
    assert f'value="{opp.pk}"' in html and "凯美瑞" in html and 'name="stage"' in html
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    response = client.post(
        "/activities/visits/new/",
        {
            "customer": c.pk,
            "channel": "test_drive",
            "started_at": (now - timedelta(minutes=30)).strftime(fmt),
            "ended_at": now.strftime(fmt),
            "opportunity": opp.pk,
            "stage": "test_drive",
        },
    )
    assert response.status_code == 302
    opp.refresh_from_db()
    assert opp.stage == "test_drive"


def test_the_consultant_is_told_of_unread_comments_when_he_opens_the_visit_form(
    client_as, consultant, manager
):
    from apps.activities import services

    r = services.daily_report_save(consultant=consultant, date=timezone.localdate(), submit=True)
    client = client_as(consultant)
    assert 'data-testid="unread-comments"' not in client.get("/activities/visits/new/").content.decode()
    services.daily_report_comment(report=r, by=manager, comment="好")
    assert 'data-testid="unread-comments"' in client.get("/activities/visits/new/").content.decode()


def test_a_manager_comments_a_monthly_summary(client_as, consultant, manager, other_manager):
    from apps.activities import services

    s = services.monthly_summary_save(
        consultant=consultant, month=timezone.localdate(), summary="成交5台", key_points="冲量"
    )
    assert (
        client_as(other_manager).post(f"/activities/summaries/{s.pk}/comment/", {"comment": "x"}).status_code
        == 404
    )
    client_as(manager).post(f"/activities/summaries/{s.pk}/comment/", {"comment": "下月加油"})
    s.refresh_from_db()
    assert s.manager_comment == "下月加油"
    assert "下月加油" in client_as(consultant).get("/activities/summaries/").content.decode()
