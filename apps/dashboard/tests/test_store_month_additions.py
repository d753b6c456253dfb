"""Store month additions of issue 15: complaint escalation breaches, the appointments'
arrival rate, referrals and training, with last month (环比) beside them; on the page,
in the API and absent (not failing) in a month frozen before them."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.appointments.models import Appointment
from apps.catalog.models import VehicleModel
from apps.customers.models import Customer, ReferralReward
from apps.dashboard.models import StoreMonth
from apps.dashboard.store_month import store_month
from apps.escalations.models import Ladder, Step
from apps.sales.models import Order
from apps.training import services as training

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SH)


def _customer(store, owner, n, **extra):
    return Customer.objects.create(store=store, owner=owner, name=f"客户{n}", mobile=f"137{n:08d}", **extra)


@pytest.fixture
def month_data(store, manager, consultant, consultant2):
    jan, dec = date(2027, 1, 15), date(2026, 12, 15)
    # Escalations: two rungs of one complaint in January, one in December.
    for level, day in ((1, jan), (2, jan), (1, dec)):
        Step.objects.create(
            store=store, ladder=Ladder.COMPLAINT, object_id=1, level=level, basis=at(day), fired_at=at(day)
        )
    Step.objects.create(
        store=store, ladder=Ladder.LEAD, object_id=1, level=1, basis=at(jan), fired_at=at(jan)
    )
    # Appointments in January: 4 made, 1 cancelled; 2 attended, 1 no-show.
    c = _customer(store, consultant, 1)
    for status in ("attended", "attended", "no_show", "cancelled", "confirmed"):
        Appointment.objects.create(
            store=store,
            customer=c,
            consultant=consultant,
            starts_at=at(jan),
            status=status,
            cancelled_at=at(jan) if status == "cancelled" else None,
            confirmed_at=at(jan - timedelta(days=1)) if status != "cancelled" else None,
        )
    # Referrals: c refers three in January, one of them buys; a reward is given.
    referred = []
    for n in range(3):
        r = _customer(store, consultant, 10 + n, referred_by=c, source="referral")
        Customer.objects.filter(pk=r.pk).update(created_at=at(jan))
        referred.append(r)
    vm = VehicleModel.objects.create(brand="丰田", name="凯美瑞", body_type="sedan", msrp=200000, cost=180000)
    Order.objects.create(
        store=store,
        customer=referred[0],
        consultant=consultant,
        vehicle_model=vm,
        order_date=jan,
        amount=Decimal(200000),
        cost=Decimal(180000),
    )
    ReferralReward.objects.create(
        referral=referred[0], referrer=c, reward="保养券", value=Decimal("500"), given_on=jan, by=manager
    )
    # Training: two sessions in January (2 and 1.5 hours), one in December.
    training.training_session_save(
        store=store,
        topic="sales_skills",
        title="异议处理",
        date=jan,
        hours=Decimal(2),
        trainer=manager,
        attendees={consultant.pk: 90, consultant2.pk: 80},
        by=manager,
    )
    training.training_session_save(
        store=store,
        topic="product_knowledge",
        title="新车型",
        date=jan + timedelta(days=3),
        hours=Decimal("1.5"),
        trainer=manager,
        attendees={consultant.pk: None},
        by=manager,
    )
    training.training_session_save(
        store=store,
        topic="service_process",
        title="交车流程",
        date=dec,
        hours=Decimal(1),
        trainer=manager,
        attendees={consultant.pk: 70},
        by=manager,
    )


def test_the_month_counts_breaches_arrivals_referrals_and_training(store, month_data):
    data = store_month(stores=[store], month_key="2027-01", today=date(2027, 2, 1))
    esc = data["escalations"]
    assert (esc["not_acknowledged"]["value"], esc["not_answered"]["value"], esc["not_resolved"]["value"]) == (
        1,
        1,
        0,
    )
    assert esc["total"]["value"] == 2 and esc["total"]["mom"] == 1  # the lead rung is not a complaint's
    ap = data["appointments"]
    assert ap["invitations"]["value"] == 4 and ap["attended"]["value"] == 2
    assert ap["arrival_rate"]["value"] == Decimal("0.5") and ap["no_show_rate"]["value"] == Decimal("0.25")
    assert ap["confirmed_rate"]["value"] == 1 and ap["arrival_rate"]["mom"] is None  # none in December
    rf = data["referrals"]
    assert (rf["referred"]["value"], rf["converted"]["value"]) == (3, 1)
    assert rf["conversion"]["value"] == Decimal("0.3333")
    assert rf["rewards"] == 1 and rf["reward_value"] == Decimal("500")
    tr = data["training"]
    assert tr["sessions"]["value"] == 2 and tr["hours"]["value"] == Decimal("3.5")
    assert tr["attendances"]["value"] == 3 and tr["person_hours"]["value"] == Decimal("5.5")
    assert tr["average_score"]["value"] == Decimal("85.0") and tr["sessions"]["mom"] == 1


def test_the_page_and_the_api_show_them(client_as, api_as, store, manager, month_data):
    html = client_as(manager).get(f"/reports/store-month/{store.pk}/2027-01/").content.decode()
    for key in ("appointments", "referrals", "training"):
        assert f'data-testid="section-{key}"' in html
    body = api_as(manager).get("/api/v1/store-months/", {"store": store.pk, "month": "2027-01"}).json()
    assert body["appointments"]["arrival_rate"] == 0.5
    assert body["referrals"] == {
        "referred": 3,
        "converted": 1,
        "conversion": 0.3333,
        "rewards": 1,
        "reward_value": "500.00",
    }
    assert body["training"]["sessions"] == 2 and body["training"]["attendee_hours"] == 5.5
    assert body["complaint_breaches"] == {"not_acknowledged": 1, "not_answered": 1, "not_resolved": 0}


def test_a_month_frozen_before_the_additions_still_renders(client_as, api_as, store, manager, month_data):
    data = store_month(stores=[store], month_key="2027-01", today=date(2027, 2, 1))
    data.pop("text", None)
    for key in ("escalations", "appointments", "referrals", "training"):
        data.pop(key)
    StoreMonth.objects.create(
        store=store,
        month=date(2027, 1, 1),
        snapshot=data,
        closed_at=timezone.now(),
        closed_by=manager,
    )
    res = client_as(manager).get(f"/reports/store-month/{store.pk}/2027-01/")
    assert res.status_code == 200 and 'data-testid="section-training"' not in res.content.decode()
    body = api_as(manager).get("/api/v1/store-months/", {"store": store.pk, "month": "2027-01"}).json()
    assert "training" not in body and body["closed"] is True


def test_the_after_sales_kpi_page_shows_the_breaches_through_a_fragment(
    client_as, store, manager, cs_agent, month_data
):
    page = client_as(cs_agent).get("/aftersales/kpis/", {"start": "2027-01-01", "end": "2027-01-31"})
    assert "/escalations/breaches/?start=2027-01-01" in page.content.decode()
    res = client_as(cs_agent).get("/escalations/breaches/", {"start": "2027-01-01", "end": "2027-01-31"})
    html = res.content.decode()
    assert res.status_code == 200 and 'data-testid="kpi-breaches"' in html
    assert '<td class="fw-semibold">2</td>' in html
    bad = client_as(cs_agent).get("/escalations/breaches/", {"start": "2027-13-45"})
    assert bad.status_code == 200
