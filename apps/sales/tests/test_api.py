from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.customers.models import Customer
from apps.customers.tests.factories import make_customer, make_vehicle_model
from apps.sales.models import Order, Payment, Receivable

from .factories import make_order, make_vin, pay

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def order_payload(customer, **extra):
    return {
        "customer": customer.pk,
        "vehicle_model": make_vehicle_model().pk,
        "order_date": str(TODAY() - timedelta(days=3)),
        "amount": "158000.00",
        "cost": "140000.00",
        **extra,
    }


def test_a_consultant_books_an_order_with_instalments(api_as, store, consultant):
    customer = make_customer(store, consultant)
    d = TODAY()
    r = api_as(consultant).post(
        "/api/v1/orders/",
        order_payload(
            customer,
            instalments=[
                {"due_date": str(d), "amount": "58000.00"},
                {"due_date": str(d + timedelta(days=30)), "amount": "100000.00"},
            ],
        ),
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["gross_profit"] == "18000.00" and body["consultant"] == consultant.pk
    assert [x["amount"] for x in body["receivables"]] == ["58000.00", "100000.00"]
    assert "instalments" not in body


def test_bad_order_input_is_a_400_naming_the_field_and_saves_nothing(api_as, store, consultant):
    customer = make_customer(store, consultant)
    api = api_as(consultant)
    for extra, field in [
        ({"amount": "-5"}, "amount"),
        ({"vin": "LFV2A21K570000009", "delivered_on": str(TODAY())}, "vin"),
        ({"instalments": [{"due_date": str(TODAY()), "amount": "1.00"}]}, "instalments"),
        ({"settlement": "credit"}, "amount"),
        ({"settlement": "credit", "credit_override": True}, "credit_override_reason"),
    ]:
        r = api.post("/api/v1/orders/", order_payload(customer, **extra), format="json")
        assert r.status_code == 400 and field in r.json(), (extra, r.content)
    assert not Order.objects.exists() and not Receivable.objects.exists()


def test_a_manager_overrides_the_credit_limit_through_the_api(api_as, store, manager, consultant):
    customer = make_customer(store, consultant)
    r = api_as(manager).post(
        "/api/v1/orders/",
        order_payload(customer, settlement="credit", credit_override=True, credit_override_reason="集团担保"),
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["credit_override"] is True
    assert Order.objects.get().credit_override_by == manager


def test_an_order_is_delivered_and_cancelled_through_the_api(api_as, store, consultant, finance):
    customer = make_customer(store, consultant)
    api = api_as(consultant)
    first = make_order(customer)
    r = api.patch(
        f"/api/v1/orders/{first.pk}/", {"delivered_on": str(TODAY()), "vin": make_vin(7)}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "delivered"
    second = make_order(customer)
    pay(customer, "100000", finance)  # the oldest receivable (first order) takes it
    r = api.post(f"/api/v1/orders/{second.pk}/cancel/", {"reason": "换车型"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = api.post(f"/api/v1/orders/{first.pk}/cancel/", {"reason": "x"}, format="json")
    assert r.status_code == 400


def test_patch_status_cancelled_cancels_with_a_reason_or_answers_400_naming_cancel_reason(
    api_as, store, consultant
):
    customer = make_customer(store, consultant)
    order = make_order(customer)
    api = api_as(consultant)
    r = api.patch(f"/api/v1/orders/{order.pk}/", {"status": "cancelled"}, format="json")
    assert r.status_code == 400 and "cancel_reason" in r.json(), r.content
    order.refresh_from_db()
    assert order.status == "open"
    r = api.patch(
        f"/api/v1/orders/{order.pk}/", {"status": "cancelled", "cancel_reason": "客户改主意"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled", r.content
    order.refresh_from_db()
    assert order.cancel_reason == "客户改主意" and not order.receivables.filter(cancelled=False).exists()


def test_patch_to_an_unknown_status_is_refused(api_as, store, consultant):
    order = make_order(make_customer(store, consultant))
    r = api_as(consultant).patch(f"/api/v1/orders/{order.pk}/", {"status": "open2"}, format="json")
    assert r.status_code == 400 and "status" in r.json()


def test_finance_records_and_reverses_a_payment(api_as, store, consultant, finance):
    customer = make_customer(store, consultant)
    make_order(customer, amount=Decimal("1000"))
    api = api_as(finance)
    r = api.post(
        "/api/v1/payments/",
        {"customer": customer.pk, "amount": "400.00", "received_on": str(TODAY()), "method": "cash"},
        format="json",
    )
    assert r.status_code == 201, r.content
    payment = r.json()
    assert payment["allocations"][0]["amount"] == "400.00"
    r = api.post(f"/api/v1/payments/{payment['id']}/reverse/", {"reason": "重复录入"}, format="json")
    assert r.status_code == 201
    assert r.json()["amount"] == "-400.00" and r.json()["reverses"] == payment["id"]
    assert r.json()["allocations"][0]["amount"] == "-400.00"
    again = api.post(f"/api/v1/payments/{payment['id']}/reverse/", {"reason": "x"}, format="json")
    assert again.status_code == 400
    assert api.patch(f"/api/v1/payments/{payment['id']}/", {"note": "x"}, format="json").status_code == 405
    assert api.delete(f"/api/v1/payments/{payment['id']}/").status_code == 405


def test_an_over_allocating_payment_is_a_400_on_amount(api_as, store, consultant, finance):
    customer = make_customer(store, consultant)
    make_order(customer, amount=Decimal("1000"))
    r = api_as(finance).post(
        "/api/v1/payments/",
        {"customer": customer.pk, "amount": "1000.01", "received_on": str(TODAY()), "method": "cash"},
        format="json",
    )
    assert r.status_code == 400 and "amount" in r.json()
    r = api_as(finance).post(
        "/api/v1/payments/",
        {"customer": customer.pk, "amount": "-1", "received_on": str(TODAY()), "method": "cash"},
        format="json",
    )
    assert r.status_code == 400 and "amount" in r.json()
    assert not Payment.objects.exists()


def test_a_consultant_cannot_record_payments(api_as, store, consultant):
    customer = make_customer(store, consultant)
    r = api_as(consultant).post(
        "/api/v1/payments/",
        {"customer": customer.pk, "amount": "1", "received_on": str(TODAY()), "method": "cash"},
    )
    assert r.status_code == 403


def test_receivables_carry_balance_days_overdue_and_bucket(api_as, store, consultant, finance):
    customer = make_customer(store, consultant)
    d = TODAY()
    make_order(
        customer,
        order_date=d - timedelta(days=100),
        amount=Decimal("1000"),
        instalments=[
            {"due_date": d - timedelta(days=95), "amount": "100"},
            {"due_date": d - timedelta(days=45), "amount": "200"},
            {"due_date": d - timedelta(days=1), "amount": "300"},
            {"due_date": d + timedelta(days=5), "amount": "400"},
        ],
    )
    pay(customer, "50", finance)
    rows = api_as(finance).get("/api/v1/receivables/?ordering=due_date").json()["results"]
    assert [(r["balance"], r["days_overdue"], r["bucket"]) for r in rows] == [
        ("50.00", 95, "90+"),
        ("200.00", 45, "31-60"),
        ("300.00", 1, "1-30"),
        ("400.00", 0, "current"),
    ]
    only = api_as(finance).get("/api/v1/receivables/?bucket=31-60").json()["results"]
    assert [r["balance"] for r in only] == ["200.00"]


@pytest.mark.parametrize("who", ["other_manager", "other_consultant", "consultant2"])
def test_outsiders_get_404_on_orders_payments_and_receivables(
    request, api_as, store, consultant, finance, who
):
    customer = make_customer(store, consultant)
    order = make_order(customer)
    payment = pay(customer, "10", finance)
    receivable = order.receivables.get()
    api = api_as(request.getfixturevalue(who))
    assert api.get(f"/api/v1/receivables/{receivable.pk}/").status_code == 404
    for url in (f"/api/v1/orders/{order.pk}/", f"/api/v1/payments/{payment.pk}/"):
        assert api.get(url).status_code == 404
        assert api.patch(url, {"vin": make_vin(3)}, format="json").status_code in (403, 404)
        assert api.delete(url).status_code in (403, 404)
    for url in (f"/api/v1/orders/{order.pk}/cancel/", f"/api/v1/payments/{payment.pk}/reverse/"):
        assert api.post(url, {"reason": "x"}, format="json").status_code in (403, 404)
    order.refresh_from_db()
    assert order.status == "open" and not Payment.objects.filter(reverses=payment).exists()


def test_order_payment_and_receivable_lists_run_a_fixed_number_of_queries(
    api_as, store, manager, consultant, finance
):
    api = api_as(manager)

    def counts() -> list[int]:
        out = []
        for url in ("/api/v1/orders/", "/api/v1/payments/", "/api/v1/receivables/"):
            with CaptureQueriesContext(connection) as q:
                assert api.get(url).status_code == 200
            out.append(len(q))
        return out

    def add() -> None:
        c = make_customer(store, consultant)
        make_order(c)
        pay(c, "10", finance)

    add()
    few = counts()
    for _ in range(8):
        add()
    # orders: count + page + prefetched receivables; payments: count + page + allocations;
    # receivables: count + page. Fixed whatever the number of rows.
    assert counts() == few
    assert Customer.objects.count() == 9
