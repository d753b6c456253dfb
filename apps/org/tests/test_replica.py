"""Heavy report reads go to the replica when one is configured (apps/org/replica.py):
a second alias pointing at the same database stands in for it."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from apps.customers.models import Customer
from apps.org.replica import REPLICA, ReportReplicaRouter, reading_reports

# Committed data (transaction=True): the replica alias is a second connection, which
# would not see the rows of a test's open transaction.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture(scope="module", autouse=True)
def replica_alias():
    """A "replica" alias on the test database (what DATABASE_REPLICA_URL adds), for this
    module only: elsewhere report pages read in the test's own transaction."""
    connections.settings[REPLICA] = {**connections.settings["default"], "TEST": {"MIRROR": "default"}}
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def replica():
    return connections[REPLICA]


def test_the_dashboard_reads_its_figures_from_the_replica_and_the_session_from_the_primary(
    replica, client_as, manager, store, consultant
):
    Customer.objects.create(store=store, owner=consultant, name="王五", mobile="13800000001")
    client = client_as(manager)
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        res = client.get(f"/dashboard/?store={store.pk}")
    assert res.status_code == 200
    replica_sql = " ".join(q["sql"] for q in on_replica.captured_queries)
    primary_sql = " ".join(q["sql"] for q in primary.captured_queries)
    # The figures: orders, customers, the follow-up queue … from the replica.
    assert "sales_order" in replica_sql and "customers_customer" in replica_sql
    assert "aftersales_followup" in replica_sql
    # The session, the user and his stores: from the primary (a login just made is seen).
    assert "django_session" in primary_sql and "org_user" in primary_sql
    assert "django_session" not in replica_sql and "org_user_stores" not in replica_sql
    assert "sales_order" not in primary_sql


def test_writes_and_unmarked_pages_stay_on_the_primary(replica, client_as, manager, store, consultant):
    router = ReportReplicaRouter()
    with reading_reports():
        assert router.db_for_read(Customer) == REPLICA
        assert router.db_for_write(Customer) is None  # the default: the primary
        made = Customer.objects.create(store=store, owner=consultant, name="赵六", mobile="13800000002")
    assert router.db_for_read(Customer) is None
    assert made.pk
    with CaptureQueriesContext(replica) as on_replica:
        assert client_as(manager).get("/customers/").status_code == 200
        assert client_as(manager).post("/dashboard/", {}).status_code in (200, 405)
    assert not on_replica.captured_queries


def test_without_a_replica_the_report_reads_stay_on_the_primary(manager, monkeypatch):
    monkeypatch.setattr("apps.org.replica.replica_configured", lambda: False)
    with reading_reports():
        assert ReportReplicaRouter().db_for_read(Customer) is None
