import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.customers.models import Customer, Opportunity

from .factories import make_customer, make_opportunity

pytestmark = pytest.mark.django_db


def test_a_consultant_registers_a_customer_for_himself(api_as, consultant):
    r = api_as(consultant).post("/api/v1/customers/", {"name": "张三", "mobile": "13811112222", "grade": "A"})
    assert r.status_code == 201, r.content
    assert r.json()["owner"] == consultant.pk
    assert r.json()["outstanding"] == "0.00" and r.json()["credit_limit"] == "0.00"


def test_a_duplicate_mobile_is_a_400_naming_the_owner(api_as, store, consultant, consultant2):
    make_customer(store, consultant, mobile="13811112222")
    r = api_as(consultant2).post("/api/v1/customers/", {"name": "张三", "mobile": "13811112222"})
    assert r.status_code == 400
    assert "王伟" in r.json()["mobile"][0]


def test_a_malformed_mobile_is_a_400_on_mobile(api_as, consultant):
    r = api_as(consultant).post("/api/v1/customers/", {"name": "张三", "mobile": "2381111222"})
    assert r.status_code == 400 and "mobile" in r.json()


def test_a_consultant_cannot_set_a_credit_limit_but_finance_can(api_as, store, consultant, finance):
    customer = make_customer(store, consultant)
    r = api_as(consultant).patch(f"/api/v1/customers/{customer.pk}/", {"credit_limit": "50000"})
    assert r.status_code == 400 and "credit_limit" in r.json()
    r = api_as(finance).patch(f"/api/v1/customers/{customer.pk}/", {"credit_limit": "50000"})
    assert r.status_code == 200 and r.json()["credit_limit"] == "50000.00"
    r = api_as(finance).patch(f"/api/v1/customers/{customer.pk}/", {"name": "x"})
    assert r.status_code == 400


def test_a_manager_transfers_through_the_owner_field(api_as, store, manager, consultant, consultant2):
    customer = make_customer(store, consultant)
    r = api_as(manager).patch(f"/api/v1/customers/{customer.pk}/", {"owner": consultant2.pk})
    assert r.status_code == 200, r.content
    assert customer.ownership_changes.filter(to_owner=consultant2, by=manager).exists()


def test_customer_service_reads_store_customers_but_cannot_write(api_as, store, consultant, cs_agent):
    customer = make_customer(store, consultant)
    api = api_as(cs_agent)
    assert api.get(f"/api/v1/customers/{customer.pk}/").status_code == 200
    assert api.patch(f"/api/v1/customers/{customer.pk}/", {"name": "x"}).status_code == 403
    assert api.post("/api/v1/customers/", {"name": "x", "mobile": "13811112222"}).status_code == 403


@pytest.mark.parametrize("who", ["other_manager", "other_consultant", "consultant2"])
def test_outsiders_get_404_for_every_verb(request, api_as, store, consultant, who):
    customer = make_customer(store, consultant)
    opp = make_opportunity(customer)
    api = api_as(request.getfixturevalue(who))
    for url in (f"/api/v1/customers/{customer.pk}/", f"/api/v1/opportunities/{opp.pk}/"):
        assert api.get(url).status_code == 404
        assert api.patch(url, {"name": "x"}).status_code == 404
        assert api.put(url, {"name": "x"}).status_code == 404
        assert api.delete(url).status_code == 404
    assert api.post("/api/v1/opportunities/", {"customer": customer.pk}).status_code in (400, 403)
    assert Customer.objects.get(pk=customer.pk).name == customer.name


def test_an_opportunity_is_scored_and_carries_its_stage_history(api_as, store, consultant):
    customer = make_customer(store, consultant)
    api = api_as(consultant)
    r = api.post(
        "/api/v1/opportunities/",
        {
            "customer": customer.pk,
            "urgency": 5,
            "purchase_time": "week",
            "purchase_cycle": "replace",
            "decision_maker_known": True,
            "budget_confirmed": True,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    assert (r.json()["score"], r.json()["routed_to"]) == (100, "sales")
    r = api.patch(f"/api/v1/opportunities/{r.json()['id']}/", {"stage": "test_drive"}, format="json")
    assert [h["stage"] for h in r.json()["stage_history"]] == ["new", "test_drive"]
    r = api.patch(f"/api/v1/opportunities/{r.json()['id']}/", {"stage": "lost"}, format="json")
    assert r.status_code == 400 and "lost_reason" in r.json()


def test_a_low_score_goes_to_marketings_nurture_pool(api_as, store, consultant, marketing):
    customer = make_customer(store, consultant)
    r = api_as(consultant).post(
        "/api/v1/opportunities/",
        {"customer": customer.pk, "urgency": 1, "purchase_time": "later"},
        format="json",
    )
    assert r.json()["routed_to"] == "nurture"
    ids = [
        o["id"] for o in api_as(marketing).get("/api/v1/opportunities/?routed_to=nurture").json()["results"]
    ]
    assert ids == [r.json()["id"]]


def test_customer_and_opportunity_lists_run_a_fixed_number_of_queries(api_as, store, manager, consultant):
    api = api_as(manager)

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as c:
            assert api.get("/api/v1/customers/").status_code == 200
        with CaptureQueriesContext(connection) as o:
            assert api.get("/api/v1/opportunities/").status_code == 200
        return len(c), len(o)

    make_opportunity(make_customer(store, consultant))
    few = counts()
    for _ in range(12):
        make_opportunity(make_customer(store, consultant))
    # customers: count + page (balances are subqueries); opportunities: count + page +
    # one prefetch of the stage history. The same whatever the number of rows.
    assert counts() == few
    assert Opportunity.objects.count() == 13


def test_a_consultant_cannot_transfer_through_the_owner_field(api_as, store, consultant, consultant2):
    customer = make_customer(store, consultant)
    r = api_as(consultant).patch(f"/api/v1/customers/{customer.pk}/", {"owner": consultant2.pk})
    assert r.status_code == 400 and "owner" in r.json()
    customer.refresh_from_db()
    assert customer.owner == consultant
