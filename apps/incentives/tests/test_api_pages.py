"""incentive-statements/ and the pages: scoping (a consultant sees his own approved
statements only), fixed query counts, approval and the streamed XLSX export."""

from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from apps.incentives import services
from apps.incentives.models import Statement
from apps.org.tests.factories import UserFactory
from apps.scoring.models import PeriodClose
from apps.scoring.tests import factories as f

from .test_statements import backdate, close, scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def october(store, manager, consultant, consultant2):
    scheme(store, manager)
    backdate(
        [f.order(consultant, date(2026, 10, 5), 200000, 180000), f.order(consultant2, date(2026, 10, 6))]
    )
    close(store, "2026-10", manager, date(2026, 11, 2))
    return services.statements_generate(store=store, period="2026-10", by=manager)


def test_a_consultant_sees_only_his_own_approved_statement(api_as, october, manager, consultant, consultant2):
    api = api_as(consultant)
    assert api.get("/api/v1/incentive-statements/").json()["count"] == 0  # drafts may still change
    services.statements_approve(store=october[0].store, period="2026-10", by=manager)
    rows = api.get("/api/v1/incentive-statements/?period=2026-10").json()["results"]
    assert [r["consultant"] for r in rows] == [consultant.pk]
    assert rows[0]["total"] == "1500.00" and len(rows[0]["lines"]) == 2
    theirs = Statement.objects.get(consultant=consultant2)
    assert api.get(f"/api/v1/incentive-statements/{theirs.pk}/").status_code == 404
    assert api.post("/api/v1/incentive-statements/", {}).status_code in (403, 405)


def test_another_stores_manager_gets_404(api_as, client_as, october, other_manager):
    statement = october[0]
    assert api_as(other_manager).get(f"/api/v1/incentive-statements/{statement.pk}/").status_code == 404
    assert client_as(other_manager).get(f"/incentives/{statement.pk}/").status_code == 404
    assert client_as(other_manager).post(f"/incentives/{statement.pk}/approve/").status_code == 404


def test_the_list_runs_a_fixed_number_of_queries(api_as, client_as, store, manager, october):
    api = api_as(manager)
    with CaptureQueriesContext(connection) as api_queries:
        assert api.get("/api/v1/incentive-statements/?consultant=&period=2026-10").json()["count"] == 2
    web = client_as(manager)
    web.get("/incentives/?period=2026-10")
    with CaptureQueriesContext(connection) as page_queries:
        web.get("/incentives/?period=2026-10")
    # Five more consultants with statements: the same number of queries.
    from conftest import PASSWORD  # noqa: F401 — personas come from conftest

    for n in range(5):
        extra = UserFactory(username=f"c{n}", role="consultant", stores=[store])
        backdate([f.order(extra, date(2026, 10, 7))])
    Statement.objects.all().delete()
    PeriodClose.objects.all().delete()
    close(store, "2026-10", manager, date(2026, 11, 2))
    services.statements_generate(store=store, period="2026-10", by=manager)
    with CaptureQueriesContext(connection) as more:
        assert api.get("/api/v1/incentive-statements/?period=2026-10").json()["count"] == 7
    assert len(more) == len(api_queries)
    with CaptureQueriesContext(connection) as more_page:
        web.get("/incentives/?period=2026-10")
    assert len(more_page) == len(page_queries)


def test_the_manager_approves_on_the_page_and_exports_the_frozen_statement(
    client_as, october, manager, consultant
):
    web = client_as(manager)
    statement = next(s for s in october if s.consultant == consultant)
    page = web.get(f"/incentives/{statement.pk}/").content.decode()
    assert "Order #" in page and "1,500.00" in page
    assert web.post(f"/incentives/{statement.pk}/approve/").status_code == 302
    statement.refresh_from_db()
    assert statement.status == "approved"
    response = web.get(f"/incentives/{statement.pk}/?export=xlsx")
    assert response.streaming
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][0] == "Kind" and rows[-1][0] == "Total" and float(rows[-1][-1]) == 1500.0
    mine = client_as(consultant).get("/incentives/").content.decode()
    assert "2026-10" in mine and "1,500.00" in mine


def test_a_manager_saves_a_scheme_on_the_page(client_as, store, manager):
    body = {
        "name": "2027 方案",
        "valid_from": "2027-01",
        "unit_commission": "600",
        "gross_profit_percent": "4",
        "bonus_measure": "units",
        "tiers": "100 2000\n120 5000",
        "unit_rates": "suv 900",
        "late_entry_threshold": "10",
        "late_entry_cut": "50",
    }
    response = client_as(manager).post("/incentives/schemes/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    bad = client_as(manager).post("/incentives/schemes/", {**body, "tiers": "abc"})
    assert bad.status_code == 200 and "Line 1" in bad.content.decode()
