from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.customers.models import Customer, Stage
from apps.customers.tests.factories import make_customer, make_opportunity
from apps.org.services import user_update
from apps.sales import services
from apps.sales.models import Allocation, Order, Payment, Receivable
from apps.sales.signals import order_delivered

from .factories import make_order, make_vin, pay

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_an_order_creates_one_receivable_of_the_whole_amount_by_default(store, consultant):
    customer = make_customer(store, consultant)
    order = make_order(customer, amount=Decimal("158000.00"), cost=Decimal("140000.00"))
    receivable = order.receivables.get()
    assert (receivable.amount, receivable.due_date, receivable.responsible) == (
        Decimal("158000.00"),
        order.order_date,
        consultant,
    )
    assert order.gross_profit == Decimal("18000.00")
    customer.refresh_from_db()
    assert (customer.status, customer.grade) == ("customer", "O")


def test_instalments_that_do_not_add_up_are_refused_and_nothing_is_saved(store, consultant):
    customer = make_customer(store, consultant)
    with pytest.raises(ValidationError) as err:
        make_order(customer, instalments=[{"due_date": TODAY(), "amount": "50000"}])
    assert "instalments" in err.value.message_dict
    assert not Order.objects.exists() and not Receivable.objects.exists()


def test_instalments_become_receivables_with_their_due_dates(store, consultant):
    customer = make_customer(store, consultant)
    d = TODAY()
    order = make_order(
        customer,
        order_date=d - timedelta(days=5),
        instalments=[
            {"due_date": d + timedelta(days=30), "amount": "40000"},
            {"due_date": d, "amount": "60000"},
        ],
    )
    assert list(order.receivables.values_list("due_date", "amount")) == [
        (d, Decimal("60000.00")),
        (d + timedelta(days=30), Decimal("40000.00")),
    ]


def test_a_negative_amount_is_refused_on_its_field(store, consultant):
    with pytest.raises(ValidationError) as err:
        make_order(make_customer(store, consultant), amount=Decimal("-1"))
    assert "amount" in err.value.message_dict


def test_a_credit_order_over_the_limit_is_refused_with_the_figures(store, consultant):
    customer = make_customer(store, consultant)
    Customer.objects.filter(pk=customer.pk).update(credit_limit=Decimal("150000"))
    make_order(customer, settlement="credit", amount=Decimal("100000"))
    with pytest.raises(ValidationError) as err:
        make_order(customer, settlement="credit", amount=Decimal("60000"))
    message = err.value.message_dict["amount"][0]
    for figure in ("100,000.00", "60,000.00", "160,000.00", "150,000.00"):
        assert figure in message
    assert Order.objects.count() == 1


def test_only_a_manager_overrides_the_credit_limit_and_it_is_recorded(store, manager, consultant):
    customer = make_customer(store, consultant)
    with pytest.raises(ValidationError) as err:
        make_order(customer, settlement="credit", credit_override_reason="老客户")
    assert "credit_override" in err.value.message_dict
    order = make_order(customer, by=manager, settlement="credit", credit_override_reason="老客户, 担保")
    assert (order.credit_override, order.credit_override_by, order.credit_override_reason) == (
        True,
        manager,
        "老客户, 担保",
    )


def test_a_payment_goes_to_the_oldest_receivable_first(store, consultant, finance):
    customer = make_customer(store, consultant)
    d = TODAY()
    order = make_order(
        customer,
        order_date=d - timedelta(days=40),
        instalments=[
            {"due_date": d - timedelta(days=40), "amount": "30000"},
            {"due_date": d - timedelta(days=10), "amount": "70000"},
        ],
    )
    payment = pay(customer, "50000", finance)
    first, second = order.receivables.order_by("due_date")
    assert (first.paid, second.paid) == (Decimal("30000.00"), Decimal("20000.00"))
    assert sorted(payment.allocations.values_list("amount", flat=True)) == [
        Decimal("20000.00"),
        Decimal("30000.00"),
    ]


def test_a_payment_larger_than_everything_open_is_refused_not_stored(store, consultant, finance):
    customer = make_customer(store, consultant)
    make_order(customer, amount=Decimal("1000"))
    with pytest.raises(ValidationError) as err:
        pay(customer, "1000.01", finance)
    assert "1,000.00" in err.value.message_dict["amount"][0]
    assert not Payment.objects.exists()


def test_a_reversal_rolls_back_the_allocations_and_cannot_happen_twice(store, consultant, finance):
    customer = make_customer(store, consultant)
    order = make_order(customer, amount=Decimal("1000"))
    payment = pay(customer, "600", finance)
    counter = services.payment_reverse(payment=payment, reason="录错客户", by=finance)
    assert counter.amount == Decimal("-600.00") and counter.reverses == payment
    assert counter.received_on == payment.received_on
    assert list(counter.allocations.values_list("amount", flat=True)) == [Decimal("-600.00")]
    assert order.receivables.get().paid == 0
    with pytest.raises(ValidationError):
        services.payment_reverse(payment=payment, reason="again", by=finance)
    with pytest.raises(ValidationError):
        services.payment_reverse(payment=counter, reason="again", by=finance)
    assert Payment.objects.count() == 2
    assert sum(Allocation.objects.values_list("amount", flat=True)) == 0


def test_cancelling_an_order_with_payments_is_refused_until_they_are_reversed(store, consultant, finance):
    customer = make_customer(store, consultant)
    order = make_order(customer, amount=Decimal("1000"))
    payment = pay(customer, "100", finance)
    with pytest.raises(ValidationError):
        services.order_cancel(order=order, reason="客户反悔", by=consultant)
    services.payment_reverse(payment=payment, reason="退款", by=finance)
    services.order_cancel(order=order, reason="客户反悔", by=consultant)
    order.refresh_from_db()
    assert order.status == "cancelled" and order.receivables.get().cancelled


def test_a_bad_vin_is_refused_with_what_is_wrong(store, consultant):
    order = make_order(make_customer(store, consultant))
    for vin, words in [("LFV2A21K5700001", "17"), ("LFV2A21K57000000I", "I"), ("LFV2A21K670000001", "5")]:
        with pytest.raises(ValidationError) as err:
            services.order_deliver(order=order, delivered_on=TODAY(), vin=vin, by=consultant)
        assert words in err.value.message_dict["vin"][0]
    order.refresh_from_db()
    assert order.status == "open" and order.vin == ""


def test_delivery_sends_order_delivered_on_commit(store, consultant, django_capture_on_commit_callbacks):
    customer = make_customer(store, consultant)
    opp = make_opportunity(customer)
    order = make_order(customer, opportunity=opp)
    heard = []

    def listener(sender, order, **kwargs):
        heard.append(order.pk)

    order_delivered.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.order_deliver(order=order, delivered_on=TODAY(), vin=make_vin(1).lower(), by=consultant)
    finally:
        order_delivered.disconnect(listener)
    assert heard == [order.pk]
    order.refresh_from_db()
    opp.refresh_from_db()
    assert (order.status, order.vin, opp.stage) == ("delivered", make_vin(1), Stage.DELIVERED)


def test_creating_an_order_with_a_delivery_delivers_it(store, consultant):
    order = make_order(make_customer(store, consultant), delivered_on=TODAY(), vin=make_vin(2))
    assert order.status == "delivered"


def test_a_consultant_responsible_for_open_receivables_cannot_be_deactivated(
    store, manager, consultant, consultant2
):
    # He sold to a colleague's customer: the receivable is his, the customer is not (a
    # transfer of his customers would have moved their receivables with them).
    make_order(make_customer(store, consultant2), consultant=consultant)
    with pytest.raises(ValidationError) as err:
        user_update(user=consultant, is_active=False)
    assert "1 open receivable" in str(err.value)


def test_money_changes_leave_an_audit_trail_with_who(store, manager, consultant, finance):
    customer = make_customer(store, consultant)
    services.customer_credit_set(
        customer=customer, credit_limit=Decimal("50000"), credit_rating="A", by=manager
    )
    customer.refresh_from_db()
    last, before = customer.history.all()[:2]
    assert (before.credit_limit, last.credit_limit) == (0, Decimal("50000.00"))
    assert last.history_user == manager and last.history_change_reason == "Credit terms"
    order = make_order(customer)
    pay(customer, "10", finance)
    receivable = order.receivables.get()
    assert receivable.history.count() == 2  # created, then paid
    assert receivable.history.first().history_user == finance
    with pytest.raises(ValidationError):
        services.customer_credit_set(
            customer=customer, credit_limit=Decimal("1"), credit_rating="", by=consultant
        )
