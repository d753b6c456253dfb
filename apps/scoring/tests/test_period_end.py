"""Customers and lost customers as of the period's end, from the ownership and status
history (issue 12 item 3): a closed month does not drift when a customer moves later."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from apps.customers import services as customers
from apps.customers.counts import counts_refresh
from apps.customers.models import Customer, OwnershipChange
from apps.scoring import selectors
from apps.scoring.periods import parse

from . import factories as f

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI)


def transfer(customer, to, manager, on: date) -> None:
    customers.customer_transfer(customer=customer, to_owner=to, by=manager, reason="调岗")
    OwnershipChange.objects.filter(customer=customer).order_by("-pk").update(at=at(on))
    counts_refresh(customer_ids=[customer.pk])  # moved into the past behind the service


def figures(store, people, key):
    cards = selectors.scorecards(stores=[store], periods=[parse(key)])
    return [cards[p.pk, key].figures for p in people]


def test_customers_and_lost_customers_are_counted_as_of_the_period_end(
    store, manager, consultant, consultant2
):
    moved = f.customer(store, consultant, status="customer")
    f.order(consultant, date(2026, 9, 10), customer_=moved)
    gone = f.customer(store, consultant, status="customer")
    f.order(consultant, date(2026, 8, 5), customer_=gone)
    customers.customer_update(
        customer=gone, by=consultant, status="lost", lost_reason="搬去外地", lost_on=date(2026, 10, 10)
    )
    Customer.history.filter(id=gone.pk, status="lost").update(history_date=at(date(2026, 10, 10)))
    counts_refresh(customer_ids=[gone.pk])
    transfer(moved, consultant2, manager, date(2026, 10, 15))
    transfer(Customer.objects.get(pk=gone.pk), consultant2, manager, date(2026, 11, 20))  # after he was lost

    sep_1, sep_2 = figures(store, [consultant, consultant2], "2026-09")
    assert (sep_1["customers"], sep_2["customers"]) == (2, 0)
    oct_1, oct_2 = figures(store, [consultant, consultant2], "2026-10")
    assert (oct_1["customers"], oct_2["customers"]) == (0, 1)
    # Lost in October while he was the consultant's: it stays his.
    assert (oct_1["lost_customers"], oct_2["lost_customers"]) == (1, 0)
    drill = selectors.drill(consultant=consultant, period=parse("2026-09"), kind="customers")["customers"]
    assert {c.pk for c in drill} == {moved.pk, gone.pk}
    lost = selectors.drill(consultant=consultant, period=parse("2026-10"), kind="lost_customers")["customers"]
    assert [c.pk for c in lost] == [gone.pk]


def test_the_customer_count_is_one_query_for_many_periods(store, consultant, django_assert_max_num_queries):
    f.order(consultant, date(2026, 9, 10))
    months = parse("2026-12").previous_months(12)
    with django_assert_max_num_queries(15):
        cards = selectors.scorecards(stores=[store], periods=months)
    assert cards[consultant.pk, "2026-09"].figures["customers"] == 1
    assert cards[consultant.pk, "2026-08"].figures["customers"] == 0
