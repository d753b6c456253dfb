"""Actions from the record, "My day" as a work list, receivables that follow their
customer (issue 10 items 2, 5 and 6)."""

from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.activities.models import Visit
from apps.aftersales.models import Complaint
from apps.aftersales.tests.factories import deliver
from apps.customers import services as customers
from apps.customers.models import Customer, OwnershipChange, StageChange
from apps.customers.tests.factories import make_customer, make_opportunity
from apps.org.services import user_deactivate_check
from apps.sales.models import Receivable
from apps.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db


def _local(dt: Any) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_log_a_visit_from_the_file_opens_with_the_customer_and_returns_there(
    client_as: Any, store: Any, consultant: Any
) -> None:
    c = make_customer(store, consultant, name="何杰", grade="A")
    make_opportunity(c, stage="test_drive")
    # He has been a customer for a while: his registration and stages are from last week.
    week_ago = timezone.now() - timedelta(days=7)
    Customer.objects.filter(pk=c.pk).update(created_at=week_ago)
    OwnershipChange.objects.filter(customer=c).update(at=week_ago)
    StageChange.objects.filter(opportunity__customer=c).update(at=week_ago)
    client = client_as(consultant)
    file = client.get(f"/customers/{c.pk}/").content.decode()
    back = f"/customers/{c.pk}/"
    link = f"/activities/visits/new/?customer={c.pk}&amp;next={quote(back, safe='')}"
    assert link in file
    form = client.get(f"/activities/visits/new/?customer={c.pk}&next={back}")
    html = form.content.decode()
    assert 'data-testid="chosen-details"' in html and "何杰" in html
    assert "Grade A" in html and "Test drive" in html
    assert f'name="next" value="{back}"' in html
    now = timezone.now()
    r = client.post(
        "/activities/visits/new/",
        {
            "customer": c.pk,
            "channel": "phone",
            "started_at": _local(now - timedelta(minutes=20)),
            "ended_at": _local(now),
            "purpose": "回访报价",
            "next": back,
        },
    )
    assert r.status_code == 302 and r["Location"] == back
    assert Visit.objects.filter(customer=c).count() == 1
    top = client.get(back).context["events"][0]
    assert top.kind == "visit" and "回访报价" in top.title


def test_next_never_leaves_the_site(client_as: Any, store: Any, consultant: Any) -> None:
    c = make_customer(store, consultant)
    now = timezone.now()
    r = client_as(consultant).post(
        "/activities/visits/new/",
        {
            "customer": c.pk,
            "channel": "phone",
            "started_at": _local(now - timedelta(minutes=20)),
            "ended_at": _local(now),
            "next": "https://evil.example/",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/activities/visits/new/"


def test_another_consultants_customer_cannot_be_preset(
    client_as: Any, store: Any, consultant: Any, consultant2: Any
) -> None:
    c = make_customer(store, consultant2)
    assert client_as(consultant).get(f"/activities/visits/new/?customer={c.pk}").status_code == 404


def test_each_role_gets_its_actions_on_the_file(
    client_as: Any, store: Any, consultant: Any, finance: Any, advisor: Any, cs_agent: Any
) -> None:
    c = make_customer(store, consultant)

    def keys(user: Any) -> list[str]:
        return [a["key"] for a in client_as(user).get(f"/customers/{c.pk}/").context["actions"]]

    assert keys(consultant) == ["visit", "opportunity"]
    assert keys(finance) == ["payment"]
    assert keys(advisor) == ["service"]
    assert keys(cs_agent) == ["complaint"]


def test_finance_records_a_payment_from_the_file_and_returns_there(
    client_as: Any, store: Any, consultant: Any, finance: Any
) -> None:
    c = make_customer(store, consultant)
    make_order(c, amount=Decimal("50000"))
    back = f"/customers/{c.pk}/"
    r = client_as(finance).post(
        f"/sales/payments/?customer={c.pk}",
        {
            "customer": c.pk,
            "amount": "2000",
            "received_on": timezone.localdate().isoformat(),
            "method": "transfer",
            "next": back,
        },
    )
    assert r.status_code == 302 and r["Location"] == back


def test_customer_service_raises_a_complaint_from_the_file(
    client_as: Any, store: Any, consultant: Any, cs_agent: Any, other_store: Any, other_consultant: Any
) -> None:
    c = make_customer(store, consultant)
    car = deliver(store=store, consultant=consultant, delivered_on=timezone.localdate(), customer=c)
    client = client_as(cs_agent)
    back = f"/customers/{c.pk}/"
    page = client.get(f"/aftersales/complaints/new/?customer={c.pk}&next={back}")
    assert page.status_code == 200
    r = client.post(
        "/aftersales/complaints/new/",
        {
            "customer": c.pk,
            "vehicle": car.pk,
            "category": "waiting_time",
            "severity": "high",
            "department": "service",
            "description": "等了三个小时",
            "next": back,
        },
    )
    assert r.status_code == 302 and r["Location"] == back
    assert Complaint.objects.get(customer=c).vehicle == car
    # Nothing is saved without a description; another store's customer is not found.
    bad = client.post("/aftersales/complaints/new/", {"customer": c.pk, "category": "price"})
    assert bad.status_code == 200 and Complaint.objects.count() == 1
    elsewhere = make_customer(other_store, other_consultant)
    assert client.get(f"/aftersales/complaints/new/?customer={elsewhere.pk}").status_code == 404


def test_a_new_service_visit_from_the_file_has_his_car(
    client_as: Any, store: Any, consultant: Any, advisor: Any
) -> None:
    c = make_customer(store, consultant)
    car = deliver(store=store, consultant=consultant, delivered_on=timezone.localdate(), customer=c)
    page = client_as(advisor).get(f"/aftersales/service-visits/new/?customer={c.pk}")
    assert page.context["form"].initial["vin"] == car.vin


def test_my_day_is_a_work_list_with_actions(client_as: Any, store: Any, consultant: Any) -> None:
    today = timezone.localdate()
    late = make_customer(store, consultant, name="逾期", next_follow_up=today - timedelta(days=3))
    due = make_customer(store, consultant, name="今日", next_follow_up=today)
    client = client_as(consultant)
    page = client.get("/customers/my-day/")
    html = page.content.decode()
    assert html.index("今日") < html.index("逾期")
    assert f'href="tel:{due.mobile}"' in html and f'href="tel:{late.mobile}"' in html
    assert f"/activities/visits/new/?customer={due.pk}&amp;next=%2Fcustomers%2Fmy-day%2F" in html


def test_the_visit_forms_quick_picks_are_the_customers_due_not_the_delivered(
    client_as: Any, store: Any, consultant: Any
) -> None:
    today = timezone.localdate()
    due = make_customer(store, consultant, name="今日到期", next_follow_up=today)
    late = make_customer(store, consultant, name="已逾期", next_follow_up=today - timedelta(days=1))
    bought = make_customer(store, consultant, name="已交车", next_follow_up=today, status="customer")
    later = make_customer(store, consultant, name="下周", next_follow_up=today + timedelta(days=5))
    picks = client_as(consultant).get("/activities/customers/search/").context["customers"]
    assert [c.pk for c in picks] == [due.pk, late.pk]
    assert bought.pk not in {c.pk for c in picks} and later.pk not in {c.pk for c in picks}


def _open_receivables(c: Any) -> Any:
    return Receivable.objects.filter(customer=c)


def test_a_transferred_customers_receivables_follow_him_in_the_audit_trail(
    store: Any, consultant: Any, consultant2: Any, manager: Any
) -> None:
    c = make_customer(store, consultant)
    make_order(c, amount=Decimal("309800"))
    customers.customer_transfer(customer=c, to_owner=consultant2, by=manager, reason="离职交接")
    receivable = _open_receivables(c).get()
    assert receivable.responsible == consultant2
    last = receivable.history.order_by("-history_date").first()
    assert last.history_user == manager and last.history_change_reason == "离职交接"
    assert last.responsible_id == consultant2.pk


def test_a_departing_consultant_can_be_deactivated_once_his_book_is_handed_over(
    client_as: Any, store: Any, consultant: Any, consultant2: Any, manager: Any
) -> None:
    a = make_customer(store, consultant)
    b = make_customer(store, consultant)
    make_order(a, amount=Decimal("100000"))
    make_order(b, amount=Decimal("80000"))
    with pytest.raises(ValidationError):
        user_deactivate_check(user=consultant)
    r = client_as(manager).post(
        "/customers/transfer/",
        {"from_owner": consultant.pk, "to_owner": consultant2.pk, "reason": "离职"},
    )
    assert r.status_code == 302
    assert set(Receivable.objects.values_list("responsible", flat=True)) == {consultant2.pk}
    user_deactivate_check(user=consultant)  # nothing left: no error


def test_a_manager_hands_over_receivables_alone(
    client_as: Any, store: Any, consultant: Any, consultant2: Any, manager: Any, other_manager: Any
) -> None:
    c = make_customer(store, consultant)
    make_order(c, amount=Decimal("100000"))
    assert client_as(consultant).get("/sales/receivables/hand-over/").status_code == 403
    r = client_as(manager).post(
        "/sales/receivables/hand-over/",
        {"from_user": consultant.pk, "to_user": consultant2.pk, "reason": "休产假"},
    )
    assert r.status_code == 302
    assert _open_receivables(c).get().responsible == consultant2
    c.refresh_from_db()
    assert c.owner == consultant  # the customer stays
    # Without a reason nothing moves; another store's manager cannot pick these people.
    r = client_as(manager).post(
        "/sales/receivables/hand-over/", {"from_user": consultant2.pk, "to_user": consultant.pk}
    )
    assert r.status_code == 200 and _open_receivables(c).get().responsible == consultant2
    r = client_as(other_manager).post(
        "/sales/receivables/hand-over/",
        {"from_user": consultant2.pk, "to_user": consultant.pk, "reason": "x"},
    )
    assert r.status_code == 200 and _open_receivables(c).get().responsible == consultant2


def test_a_new_opportunity_from_my_day_returns_to_my_day(client_as: Any, store: Any, consultant: Any) -> None:
    c = make_customer(store, consultant, next_follow_up=timezone.localdate())
    r = client_as(consultant).post(
        f"/customers/{c.pk}/opportunities/new/?next=/customers/my-day/",
        {
            "stage": "showroom",
            "urgency": "5",
            "purchase_time": "week",
            "purchase_cycle": "first",
            "decision_maker_known": "on",
            "budget_confirmed": "on",
            "next": "/customers/my-day/",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/customers/my-day/"
