"""Breakdown by region (the customers' districts) and by key customer (SPEC §1; issue 12 item 12)."""

from datetime import date
from decimal import Decimal
from itertools import count

import pytest

from apps.customers.models import Customer
from apps.plans import selectors, services

from .factories import collection, make_plan, order, root

pytestmark = pytest.mark.django_db


def _tracking(plan, today):
    out = {}

    def walk(nodes):
        for n in nodes:
            out[n.target.pk] = n.tracking
            walk(n.children)

    walk(selectors.plan_tree(plan, today))
    return out


@pytest.fixture
def sales(store, consultant, manager):
    numbers = count(1)

    def buyer(region, kind="person"):
        n = next(numbers)
        return Customer.objects.create(
            store=store,
            owner=consultant,
            name=f"客户{n}",
            mobile=f"1390000{n:04d}",
            region=region,
            kind=kind,
        )

    fleet = buyer("朝阳区", "company")
    order(consultant, store, date(2026, 3, 2), amount="300000.00", cust=fleet)
    order(consultant, store, date(2026, 3, 3), amount="100000.00", cust=buyer("朝阳区"))
    paid = order(consultant, store, date(2026, 3, 4), amount="200000.00", cust=buyer("海淀区"))
    collection(paid, "50000.00", date(2026, 3, 5), manager)
    order(consultant, store, date(2026, 3, 6), amount="50000.00", cust=buyer(""))
    return fleet


def test_into_region_splits_by_the_customers_districts_with_a_child_for_none(store, manager, sales, api_as):
    plan = make_plan(store, manager, year=2026)
    res = api_as(manager).post(
        f"/api/v1/plans/{plan.pk}/break-down/",
        {"node": root(plan, "revenue").pk, "into": "region", "method": "even"},
        format="json",
    )
    assert res.status_code == 201, res.content
    kids = {c["key"]: c for c in res.json()}
    assert set(kids) == {"朝阳区", "海淀区", "-"}
    assert sum(Decimal(c["value"]) for c in kids.values()) == root(plan, "revenue").value
    tracking = _tracking(plan, date(2026, 3, 31))
    actual = {k: tracking[c["id"]].actual for k, c in kids.items()}
    assert actual == {
        "朝阳区": Decimal("400000.00"),
        "海淀区": Decimal("200000.00"),
        "-": Decimal("50000.00"),
    }


def test_into_customer_gives_each_key_account_and_the_other_customers(store, manager, sales, api_as):
    plan = make_plan(store, manager, year=2026)
    api = api_as(manager)
    kids = {}
    for measure in ("revenue", "collections"):
        res = api.post(
            f"/api/v1/plans/{plan.pk}/break-down/",
            {"node": root(plan, measure).pk, "into": "customer", "method": "even"},
            format="json",
        )
        assert res.status_code == 201, res.content
        kids[measure] = {c["key"]: c["id"] for c in res.json()}
    assert set(kids["revenue"]) == {str(sales.pk), "other"}
    tracking = _tracking(plan, date(2026, 3, 31))
    assert tracking[kids["revenue"][str(sales.pk)]].actual == Decimal("300000.00")
    assert tracking[kids["revenue"]["other"]].actual == Decimal("350000.00")
    assert tracking[kids["collections"]["other"]].actual == Decimal("50000.00")
    assert tracking[kids["collections"][str(sales.pk)]].actual == Decimal("0")


def test_visits_and_new_customers_are_not_split_by_region_or_customer(store, manager):
    plan = make_plan(store, manager, year=2026)
    for into in ("region", "customer"):
        with pytest.raises(Exception) as err:
            services.target_break_down(node=root(plan, "visits"), into=into, method="even", by=manager)
        assert "into" in err.value.message_dict
