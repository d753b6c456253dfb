"""Every SPEC §5 measure against hand-computed figures for one consultant in October 2026."""

from datetime import date
from decimal import Decimal

import pytest

from apps.scoring import selectors
from apps.scoring.periods import parse

from . import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def october_records(consultant, store):
    c1 = f.customer(store, consultant, status="customer")
    c2 = f.customer(store, consultant, status="customer")
    f.order(consultant, date(2026, 9, 30), 80000, 70000, customer_=c2)  # September
    o1 = f.order(consultant, date(2026, 10, 5), 200000, 180000, customer_=c1)
    o2 = f.order(consultant, date(2026, 10, 31), 150000, 140000, customer_=c2)
    f.order(consultant, date(2026, 10, 10), 999999, 1, status="cancelled")  # never counts
    f.order(consultant, date(2026, 11, 1), 50000, 45000)  # November
    # Payments: on the boundaries, and reversals inside and across the month.
    f.payment(o1, date(2026, 10, 1), 50000)
    f.payment(o1, date(2026, 9, 30), 20000)
    f.payment(o1, date(2026, 11, 1), 7000)
    f.reverse(f.payment(o2, date(2026, 10, 15), 10000), date(2026, 10, 20))
    f.reverse(f.payment(o2, date(2026, 10, 25), 30000), date(2026, 11, 2))
    # Visits on Shanghai midnight: 00:00 on 1 Oct is October (16:00 UTC on 30 Sep).
    f.visit(consultant, f.at(date(2026, 9, 30), 23, 59), 10, expense=999)
    f.visit(consultant, f.at(date(2026, 10, 1), 0, 0), 30, expense=100, late=True)
    f.visit(consultant, f.at(date(2026, 10, 1), 14, 0), 60)
    f.visit(consultant, f.at(date(2026, 10, 31), 23, 30), 20, expense=50, late=True)
    f.visit(consultant, f.at(date(2026, 11, 1), 0, 0), 45, expense=999)
    f.report(consultant, date(2026, 10, 1), on_time=True)
    f.report(consultant, date(2026, 10, 2), on_time=False)
    f.report(consultant, date(2026, 10, 3), submitted=False)  # a draft is no working day
    # Lost: only a customer who had ordered before he was lost.
    old = f.customer(store, consultant, status="lost", lost_on=date(2026, 10, 20))
    f.order(consultant, date(2026, 3, 1), 100000, 90000, customer_=old)
    f.customer(store, consultant, status="lost", lost_on=date(2026, 10, 21))
    f.customer(store, consultant, status="customer")  # a customer since today (Nov)


def card(store, consultant, key="2026-10"):
    return selectors.scorecards(stores=[store], periods=[parse(key)])[consultant.pk, key]


def test_results_count_orders_dated_in_the_month_and_never_cancelled_ones(october_records, store, consultant):
    fig = card(store, consultant).figures
    assert fig["sales_revenue"] == D("350000.00")
    assert fig["units"] == 2
    assert fig["gross_profit"] == D("30000.00")


def test_collections_take_payments_by_date_and_net_out_reversals(october_records, store, consultant):
    # 50 000 on 1 Oct + (10 000 − 10 000 reversed in Oct) + 30 000 (reversed only in Nov)
    assert card(store, consultant).figures["collections"] == D("80000.00")
    assert card(store, consultant, "2026-11").figures["collections"] == D("-23000.00")


def test_customer_counts_new_and_lost(october_records, store, consultant):
    fig = card(store, consultant).figures
    assert fig["customers"] == 2
    assert fig["new_customers"] == 1
    assert fig["lost_customers"] == 1


def test_behaviour_uses_visit_starts_in_shanghai_and_submitted_reports(october_records, store, consultant):
    fig = card(store, consultant).figures
    assert fig["visits"] == 3
    assert fig["working_days"] == 3  # 1 Oct (visits + report), 2 Oct (report), 31 Oct (visit)
    assert fig["visits_per_day"] == D("1.00")
    assert fig["minutes_per_visit"] == D("36.7")  # 110 / 3
    assert fig["revenue_per_visit_day"] == D("116666.67")
    assert fig["cost_per_visit"] == D("50.00")  # 150 / 3
    assert fig["orders_per_100_visits"] == D("66.67")
    assert fig["expense_ratio"] == D("0.0004")  # 150 / 350 000


def test_compliance_counts_on_time_reports_and_late_visits(october_records, store, consultant):
    fig = card(store, consultant).figures
    assert fig["report_compliance"] == D("0.3333")  # 1 on time / 3 working days
    assert fig["late_entry_rate"] == D("0.6667")  # 2 late / 3 visits


def test_zero_denominators_give_none_not_zero(store, consultant):
    fig = card(store, consultant).figures
    assert fig["units"] == 0 and fig["working_days"] == 0 and fig["visits"] == 0
    for ratio in (
        "visits_per_day",
        "minutes_per_visit",
        "revenue_per_visit_day",
        "cost_per_visit",
        "orders_per_100_visits",
        "expense_ratio",
        "report_compliance",
        "late_entry_rate",
    ):
        assert fig[ratio] is None, ratio


def test_a_quarter_and_a_year_are_the_sums_of_their_months(october_records, store, consultant):
    cards = selectors.scorecards(stores=[store], periods=[parse("2026-Q4"), parse("2026"), parse("2026-10")])
    q4, year = cards[consultant.pk, "2026-Q4"].figures, cards[consultant.pk, "2026"].figures
    assert q4["sales_revenue"] == D("400000.00")  # Oct 350 000 + Nov 50 000
    assert year["sales_revenue"] == D("580000.00")  # + Sep 80 000 + Mar 100 000
    assert q4["visits"] == 4 and year["visits"] == 5
    assert q4["working_days"] == 4 and year["working_days"] == 5
    # By year end: c1, c2, the one created today, and November's buyer (an order makes a customer).
    assert year["customers"] == 4
