from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from apps.customers.tests.factories import make_customer, make_vehicle_model
from apps.sales.models import Order, Payment

from .factories import make_order, make_vin, pay

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _fill(store, consultant, finance, n):
    for _ in range(n):
        c = make_customer(store, consultant)
        make_order(c, order_date=TODAY() - timedelta(days=45))
        pay(c, "10", finance)


def test_order_payment_and_receivable_pages_run_a_fixed_number_of_queries(
    client_as, store, manager, consultant, finance
):
    client = client_as(manager)
    urls = ["/sales/orders/", "/sales/payments/", "/sales/receivables/"]
    _fill(store, consultant, finance, 1)

    def counts():
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as q:
                assert client.get(url).status_code == 200
            out.append(len(q))
        return out

    few = counts()
    _fill(store, consultant, finance, 12)
    # orders: count + page; payments: count + page + allocations prefetch (+ form choices);
    # receivables: aging total, per consultant, per customer, count + page. Fixed.
    assert counts() == few


def test_a_consultant_books_an_order_on_the_page_with_instalments(client_as, store, consultant):
    customer = make_customer(store, consultant)
    d = TODAY()
    r = client_as(consultant).post(
        "/sales/orders/new/",
        {
            "customer": customer.pk,
            "vehicle_model": make_vehicle_model().pk,
            "order_date": d,
            "amount": "100000",
            "discount": "0",
            "cost": "90000",
            "settlement": "full",
            "instalments": f"{d} 30000\n{d + timedelta(days=30)} 70000",
        },
    )
    assert r.status_code == 302, r.content.decode()[-2000:]
    assert Order.objects.get().receivables.count() == 2


def test_over_the_credit_limit_the_page_shows_the_figures(client_as, store, consultant):
    customer = make_customer(store, consultant)
    r = client_as(consultant).post(
        "/sales/orders/new/",
        {
            "customer": customer.pk,
            "vehicle_model": make_vehicle_model().pk,
            "order_date": TODAY(),
            "amount": "100000",
            "discount": "0",
            "cost": "90000",
            "settlement": "credit",
        },
    )
    assert r.status_code == 200 and "100,000.00" in r.content.decode()
    assert not Order.objects.exists()


def test_a_delivery_with_a_bad_vin_shows_an_error_and_a_good_one_delivers(client_as, store, consultant):
    order = make_order(make_customer(store, consultant))
    client = client_as(consultant)
    r = client.post(
        f"/sales/orders/{order.pk}/deliver/",
        {"delivered_on": TODAY(), "vin": "LFV2A21K570000009"},
        follow=True,
    )
    assert "check digit" in r.content.decode()
    client.post(f"/sales/orders/{order.pk}/deliver/", {"delivered_on": TODAY(), "vin": make_vin(11)})
    order.refresh_from_db()
    assert order.status == "delivered"


def test_finance_records_and_reverses_a_payment_on_the_page(client_as, store, consultant, finance):
    customer = make_customer(store, consultant)
    make_order(customer, amount=Decimal("5000"))
    client = client_as(finance)
    r = client.post(
        "/sales/payments/",
        {"customer": customer.pk, "amount": "6000", "received_on": TODAY(), "method": "cash"},
    )
    assert r.status_code == 200 and "5,000.00" in r.content.decode()
    client.post(
        "/sales/payments/",
        {"customer": customer.pk, "amount": "2000", "received_on": TODAY(), "method": "cash"},
    )
    payment = Payment.objects.get()
    client.post(f"/sales/payments/{payment.pk}/reverse/", {"reason": "录错"})
    assert Payment.objects.filter(reverses=payment).exists()


def test_the_receivables_page_totals_per_bucket_and_consultant(
    client_as, store, manager, consultant, consultant2
):
    d = TODAY()
    make_order(make_customer(store, consultant), order_date=d - timedelta(days=100), amount=Decimal("1000"))
    make_order(make_customer(store, consultant2), order_date=d - timedelta(days=40), amount=Decimal("2000"))
    page = client_as(manager).get("/sales/receivables/").content.decode()
    assert "3,000.00" in page and "王伟" in page and "李娜" in page


@pytest.mark.parametrize("who", ["other_manager", "other_consultant", "consultant2"])
def test_outsiders_get_404_on_order_and_payment_pages(request, client_as, store, consultant, finance, who):
    customer = make_customer(store, consultant)
    order = make_order(customer)
    payment = pay(customer, "10", finance)
    client = client_as(request.getfixturevalue(who))
    assert client.get(f"/sales/orders/{order.pk}/").status_code == 404
    assert client.post(f"/sales/orders/{order.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert (
        client.post(
            f"/sales/orders/{order.pk}/deliver/", {"delivered_on": TODAY(), "vin": make_vin(5)}
        ).status_code
        == 404
    )
    assert client.post(f"/sales/payments/{payment.pk}/reverse/", {"reason": "x"}).status_code in (403, 404)
    order.refresh_from_db()
    assert order.status == "open"


def test_receivables_summaries_follow_the_filters_and_the_store_is_a_filter(
    client_as, store, other_store, consultant, other_consultant, admin_user
):
    wang = make_customer(store, consultant, name="王总")
    make_order(wang, amount=Decimal("100000.00"))
    li = make_customer(other_store, other_consultant, name="李总")
    make_order(li, amount=Decimal("60000.00"))
    client = client_as(admin_user)
    everything = client.get("/sales/receivables/").context
    assert everything["totals"]["total"] == Decimal("160000.00")
    assert everything["many_stores"]
    page = client.get("/sales/receivables/", {"store": other_store.pk})
    assert page.context["totals"]["total"] == Decimal("60000.00")
    assert [r["customer__name"] for r in page.context["by_customer"]] == ["李总"]
    assert "王总" not in page.content.decode()
    # A filter change redraws the summaries too: they are in the fragment htmx swaps.
    fragment = client.get(
        "/sales/receivables/", {"q": "王总"}, headers={"HX-Request": "true", "HX-Target": "list"}
    )
    assert 'data-testid="aging-totals"' in fragment.content.decode()
    assert fragment.context["totals"]["total"] == Decimal("100000.00")


def test_a_payment_row_names_the_order_and_instalment_and_its_reversal_asks_first(
    client_as, store, consultant, finance
):
    customer = make_customer(store, consultant)
    order = make_order(customer)
    payment = pay(customer, "1000", finance)
    html = client_as(finance).get("/sales/payments/").content.decode()
    due = order.receivables.get().due_date
    assert f"Order #{order.pk} · due {date_format(due)}" in html
    assert f'data-testid="reverse-{payment.pk}"' in html and "data-confirm=" in html


def test_date_inputs_are_filled_in_chinese_too(client_as, finance):
    client = client_as(finance)
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/sales/payments/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "收款" in html  # the page is in Chinese
    # A date input takes only ISO dates: 2026/12/01 would leave it blank.
    assert f'name="received_on" value="{TODAY().isoformat()}"' in html
