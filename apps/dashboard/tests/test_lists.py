"""The shared list helper (apps/org/listing.py) as the lists use it: sort by a column,
export the filtered rows to CSV and XLSX as streams, page past the old cut-offs."""

import csv
import io
import itertools
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from apps.activities.models import Escalation, MonthlySummary
from apps.catalog.models import VehicleModel
from apps.customers.models import Customer
from apps.sales.models import Order

pytestmark = pytest.mark.django_db
_n = itertools.count(1)


def orders(store, consultant, amounts):
    vm = VehicleModel.objects.get_or_create(
        brand="丰田", name="凯美瑞", defaults={"body_type": "sedan", "msrp": 200000, "cost": 180000}
    )[0]
    for i, amount in enumerate(amounts):
        n = next(_n)
        c = Customer.objects.create(store=store, owner=consultant, name=f"客户{n}", mobile=f"137{n:08d}")
        Order.objects.create(
            store=store,
            customer=c,
            consultant=consultant,
            vehicle_model=vm,
            order_date=date(2026, 10, 1 + i),
            amount=Decimal(amount),
            cost=Decimal(amount) - 1000,
            settlement="loan" if i % 2 else "full",
        )


def amounts_on(html: str) -> list[str]:
    return [a for a in ("150,000", "120,000", "180,000") if a in html]


def test_a_list_sorts_by_a_column_both_ways_and_ignores_unknown_columns(
    client_as, store, manager, consultant
):
    orders(store, consultant, [150000, 120000, 180000])
    client = client_as(manager)
    up = client.get("/sales/orders/?sort=amount").content.decode()
    down = client.get("/sales/orders/?sort=-amount").content.decode()
    assert up.index("120,000") < up.index("150,000") < up.index("180,000")
    assert down.index("180,000") < down.index("150,000") < down.index("120,000")
    assert 'aria-sort="descending"' in down
    assert client.get("/sales/orders/?sort=cost;drop").status_code == 200


def test_csv_export_streams_the_filtered_rows(client_as, store, manager, consultant):
    orders(store, consultant, [150000, 120000, 180000])
    response = client_as(manager).get("/sales/orders/?settlement=full&sort=-amount&export=csv")
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1 + 2  # header, and the two full-payment orders only
    assert "180000.00" in rows[1] and "150000.00" in rows[2]


def test_xlsx_export_streams_from_a_file_with_numbers_as_numbers(client_as, store, manager, consultant):
    orders(store, consultant, [150000, 120000, 180000])
    response = client_as(manager).get("/sales/orders/?settlement=loan&export=xlsx")
    assert isinstance(response, FileResponse)
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert len(values) == 2 and Decimal(120000) in [
        Decimal(str(v)) for v in values[1] if isinstance(v, int | float)
    ]


def test_the_order_list_runs_the_same_queries_whatever_its_size(client_as, store, manager, consultant):
    client = client_as(manager)
    orders(store, consultant, [100000] * 3)
    with CaptureQueriesContext(connection) as small:
        client.get("/sales/orders/?sort=customer")
    orders(store, consultant, [100000] * 20)
    with CaptureQueriesContext(connection) as large:
        client.get("/sales/orders/?sort=customer")
    assert len(large) == len(small)


def test_summaries_and_escalations_page_past_their_old_cut_offs_and_export(
    client_as, store, manager, consultant
):
    for m in range(1, 31):
        MonthlySummary.objects.create(
            store=store, consultant=consultant, month=date(2000 + m, 1, 1), summary="总结", key_points="计划"
        )
    for _i in range(105):
        Escalation.objects.create(store=store, raised_by=consultant, assigned_to=manager, question="求助")
    client = client_as(manager)
    page = client.get("/activities/summaries/").content.decode()
    assert "30 records" in page and "2030-01" in page
    assert "2001-01" in client.get("/activities/summaries/?page=3").content.decode()
    esc = client.get("/activities/escalations/?show=all").content.decode()
    assert "105 records" in esc
    export = client.get("/activities/escalations/?show=all&export=csv")
    assert len(b"".join(export.streaming_content).decode().strip().splitlines()) == 106
