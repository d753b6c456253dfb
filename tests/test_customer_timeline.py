"""The customer's timeline (issue 10 item 1 and 7): every app's events in one list,
newest first, keyset-paged, scoped like the records, one query per page."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.activities.tests.factories import aware, visit
from apps.aftersales import services as aftersales
from apps.aftersales.models import FollowUp, Message, MessageStatus
from apps.aftersales.tests.factories import deliver
from apps.customers import services as customers
from apps.customers.tests.factories import make_customer, make_opportunity
from apps.org import timeline
from apps.sales import services as sales
from apps.sales.tests.factories import make_order, pay

pytestmark = pytest.mark.django_db


def _story(store: Any, consultant: Any, manager: Any, finance: Any, advisor: Any, cs_agent: Any) -> Any:
    """A customer with one event of every kind."""
    today = timezone.localdate()
    c = make_customer(store, consultant, name="何杰")
    opp = make_opportunity(c)
    customers.opportunity_set_stage(opportunity=opp, stage="test_drive", by=consultant)
    visit(consultant, c, start=aware(today - timedelta(days=3)), purpose="试驾", late=True)
    make_order(c, amount=Decimal("309800"), order_date=today - timedelta(days=300))
    pay(c, "1000", finance, on=today - timedelta(days=5))
    reversed_one = pay(c, "500", finance, on=today - timedelta(days=4))
    sales.payment_reverse(payment=reversed_one, reason="录错", by=finance)
    car = deliver(store=store, consultant=consultant, delivered_on=today - timedelta(days=200), customer=c)
    aftersales.service_visit_record(
        vehicle=car,
        date=today - timedelta(days=20),
        mileage=8123,
        kind="maintenance",
        amount=0,
        advisor=advisor,
    )
    call = FollowUp.objects.create(
        store=store,
        customer=c,
        vehicle=car,
        rule="post_sale_7d",
        due_date=today - timedelta(days=2),
        status="done",
        outcome="reached",
        satisfaction=4,
        assignee=cs_agent,
        completed_at=timezone.now() - timedelta(days=2),
    )
    aftersales.complaint_open(
        store=store, customer=c, by=cs_agent, description="异响", category="vehicle_quality", vehicle=car
    )
    Message.objects.create(
        store=store,
        customer=c,
        followup=call,
        send_on=today,
        mobile=c.mobile,
        body="您好",
        status=MessageStatus.SENT,
        sent_at=timezone.now() - timedelta(hours=5),
    )
    customers.customer_update(customer=c, by=finance, credit_limit=Decimal("50000"))
    return c


def test_the_timeline_shows_every_kind_newest_first(
    api_as: Any, store: Any, consultant: Any, manager: Any, finance: Any, advisor: Any, cs_agent: Any
) -> None:
    c = _story(store, consultant, manager, finance, advisor, cs_agent)
    other = make_customer(store, consultant)
    visit(consultant, other)
    r = api_as(manager).get(f"/api/v1/customers/{c.pk}/timeline/")
    assert r.status_code == 200, r.content
    results = r.json()["results"]
    kinds = {e["kind"] for e in results}
    assert kinds >= {
        "registered",
        "stage",
        "visit",
        "order",
        "delivery",
        "receivable",
        "payment",
        "vehicle",
        "service",
        "call",
        "complaint",
        "message",
        "credit",
    }, kinds
    ats = [e["at"] for e in results]
    assert ats == sorted(ats, reverse=True)
    titles = " | ".join(e["title"] for e in results)
    assert "overdue" in titles and "309,800.00" in titles
    assert "8123 km" in titles and "satisfaction 4/5" in titles and "entered late" in titles
    assert "Payment reversed" in titles
    assert all(e["url"] is None or e["url"].startswith("http") for e in results)
    visit_row = next(e for e in results if e["kind"] == "visit")
    assert visit_row["by"] == "王伟" and visit_row["url"].endswith(
        f"/activities/visits/{visit_row['object_id']}/"
    )
    other_visits = set(other.visits.values_list("pk", flat=True))
    assert not {e["object_id"] for e in results if e["kind"] == "visit"} & other_visits


def test_ownership_changes_are_on_the_timeline(
    api_as: Any, store: Any, consultant: Any, consultant2: Any, manager: Any
) -> None:
    c = make_customer(store, consultant)
    customers.customer_transfer(customer=c, to_owner=consultant2, by=manager, reason="休假")
    rows = api_as(manager).get(f"/api/v1/customers/{c.pk}/timeline/?kind=ownership").json()["results"]
    # Newest first: the transfer, then his registration by the first owner.
    assert [(e["kind"], e["by"]) for e in rows] == [("ownership", "郑经理"), ("ownership", "王伟")]
    assert "王伟 → 李娜" in rows[0]["title"] and "休假" in rows[0]["title"]


def test_keyset_pages_cover_every_event_once_in_order(api_as: Any, store: Any, consultant: Any) -> None:
    c = make_customer(store, consultant)
    start = timezone.now() - timedelta(days=100)
    same = start + timedelta(days=50)
    for i in range(70):
        # Some share a start time: the (at, kind, id) key still orders them strictly.
        visit(consultant, c, start=same if i % 7 == 0 else start + timedelta(hours=i))
    seen: list[tuple[str, str, int]] = []
    url: str | None = f"/api/v1/customers/{c.pk}/timeline/?kind=visit"
    pages = 0
    while url:
        body = api_as(consultant).get(url).json()
        seen += [(e["at"], e["kind"], e["object_id"]) for e in body["results"]]
        url = body["next"]
        pages += 1
    assert pages == 3  # 70 visits, 30 a page
    assert len(seen) == len(set(seen)) == 70
    assert seen == sorted(seen, key=lambda k: (k[0], k[2]), reverse=True)


def test_one_query_per_page_whatever_the_number_of_events(
    api_as: Any, store: Any, consultant: Any, manager: Any, finance: Any, advisor: Any, cs_agent: Any
) -> None:
    small = make_customer(store, consultant)
    visit(consultant, small)
    big = _story(store, consultant, manager, finance, advisor, cs_agent)
    for i in range(60):
        visit(consultant, big, start=timezone.now() - timedelta(days=i + 1))
    api = api_as(manager)

    def count(customer_id: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(f"/api/v1/customers/{customer_id}/timeline/").status_code == 200
        return len(ctx.captured_queries)

    # The user's store ids, the customer (scoped, with balances) and the one UNION ALL
    # of every kind's events.
    assert count(small.pk) == count(big.pk) == 3
    with CaptureQueriesContext(connection) as ctx:
        timeline.page(customer_id=big.pk, user=manager)
    assert len(ctx.captured_queries) == 1
    assert "UNION ALL" in ctx.captured_queries[0]["sql"]


def test_nobody_sees_an_event_of_a_record_he_could_not_open(
    api_as: Any,
    store: Any,
    consultant: Any,
    consultant2: Any,
    manager: Any,
    finance: Any,
    advisor: Any,
    cs_agent: Any,
    other_manager: Any,
) -> None:
    c = _story(store, consultant, manager, finance, advisor, cs_agent)
    url = f"/api/v1/customers/{c.pk}/timeline/"
    assert api_as(other_manager).get(url).status_code == 404
    assert api_as(consultant2).get(url).status_code == 404
    # Finance opens orders and payments, not visits, opportunities, calls or complaints.
    kinds = {e["kind"] for e in api_as(finance).get(url).json()["results"]}
    assert {"order", "payment", "receivable"} <= kinds
    assert not kinds & {"visit", "stage", "call", "complaint", "message"}
    # Customer service: calls and complaints, not orders or visits.
    kinds = {e["kind"] for e in api_as(cs_agent).get(url).json()["results"]}
    assert {"call", "complaint", "message", "vehicle"} <= kinds
    assert not kinds & {"visit", "order", "payment"}
    # The new owner does not see the visits another consultant logged.
    customers.customer_transfer(customer=c, to_owner=consultant2, by=manager, reason="休假")
    kinds = {e["kind"] for e in api_as(consultant2).get(url).json()["results"]}
    assert "visit" not in kinds and "ownership" in kinds


def test_bad_kind_or_cursor_is_a_400(api_as: Any, store: Any, consultant: Any) -> None:
    c = make_customer(store, consultant)
    api = api_as(consultant)
    r = api.get(f"/api/v1/customers/{c.pk}/timeline/?kind=nope")
    assert r.status_code == 400 and "kind" in r.json()
    for bad in ("zzz", "!!!", "MjAyNnx4fDE"):
        r = api.get(f"/api/v1/customers/{c.pk}/timeline/?cursor={bad}")
        assert r.status_code == 400 and "cursor" in r.json(), bad


def test_the_customer_file_shows_header_timeline_and_older_events(
    client_as: Any, store: Any, consultant: Any, manager: Any, finance: Any, advisor: Any, cs_agent: Any
) -> None:
    c = _story(store, consultant, manager, finance, advisor, cs_agent)
    for i in range(40):
        visit(consultant, c, start=timezone.now() - timedelta(days=i + 30))
    client = client_as(manager)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(f"/customers/{c.pk}/")
    assert page.status_code == 200
    few = len(ctx.captured_queries)
    html = page.content.decode()
    assert 'data-testid="timeline"' in html and html.count('data-testid="event"') == timeline.PAGE
    assert "308,800.00" in html  # outstanding in the header: 309,800 less 1,000 paid
    assert "4.0 / 5" in html  # satisfaction average
    assert 'href="tel:' in html
    more = page.context["more"]
    assert more
    fragment = client.get(f"/customers/{c.pk}/{more}", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert fragment.content.decode().count('data-testid="event"') > 0
    # A fixed number of queries whatever the number of events (the header, one timeline query).
    for i in range(40):
        visit(consultant, c, start=timezone.now() - timedelta(days=i + 80))
    with CaptureQueriesContext(connection) as ctx2:
        client.get(f"/customers/{c.pk}/")
    assert len(ctx2.captured_queries) == few, few
    bad = client.get(f"/customers/{c.pk}/?cursor=zzz")
    assert bad.status_code == 400
