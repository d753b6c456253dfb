"""Exports, templates, imports and the smaller doors (issue 16)."""

import re
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from apps.aftersales.models import FollowUpRule, RuleCode
from apps.aftersales.services import _render, rule_save
from apps.customers.models import Customer
from apps.customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ['=HYPERLINK("https://evil.example","点我")', "+1+2", "-2+3", "@SUM(A1)"])
def test_an_exported_cell_that_looks_like_a_formula_stays_text(client_as, store, manager, consultant, name):
    make_customer(store, consultant, name=name)
    r = client_as(manager).get("/customers/?export=xlsx")
    body = b"".join(r.streaming_content) if r.streaming else r.content
    sheet = load_workbook(BytesIO(body)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value and name in str(c.value)]
    assert cells, "the customer is in the export"
    assert all(c.data_type == "s" and c.value == "'" + name for c in cells)


def test_every_excel_export_goes_through_the_one_escaping_helper():
    """A new export that builds its own Workbook would skip the escaping."""
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "apps").rglob("*.py")
        if "tests" not in p.parts
        and p.name != "listing.py"
        and re.search(r"\bWorkbook\(", p.read_text())
        and not re.search(r"from apps\.org\.listing import .*\bcell\b", p.read_text())
    ]
    assert offenders == [], "write spreadsheet cells through apps.org.listing.cell (or xlsx_response)"


def test_an_sms_template_cannot_expand_or_reach_attributes(store):
    from apps.aftersales.services import rules_ensure

    rules_ensure(store_ids=[store.pk])
    rule = FollowUpRule.objects.get(store=store, rule=RuleCode.BIRTHDAY)
    for template in ["{customer:>99999999}", "{customer.__class__}", "{0}", "x" * 301]:
        with pytest.raises(Exception) as exc:
            rule_save(rule=rule, template=template)
        assert "template" in str(exc.value)
    assert _render("{{literal}} {customer}", {"customer": "张先生"}) == "{literal} 张先生"
    assert len(_render("{customer}" * 30, {"customer": "长" * 100})) == 500


def _sheet(rows: int) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "mobile"])
    for i in range(rows):
        sheet.append([f"客户{i}", f"139{i:08d}"])
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile("c.xlsx", out.getvalue())


def test_an_import_over_the_row_limit_is_refused_whole(client_as, store, consultant):
    r = client_as(consultant).post("/customers/import/", {"file": _sheet(1001)})
    assert r.status_code == 200 and "at most 1000 customers" in r.content.decode()
    assert not Customer.objects.exists()


def test_an_import_file_over_5_mb_is_refused(client_as, store, consultant):
    big = SimpleUploadedFile("c.xlsx", b"0" * (5 * 1024 * 1024 + 1))
    r = client_as(consultant).post("/customers/import/", {"file": big})
    assert "larger than 5 MB" in r.content.decode()


def test_the_api_schema_and_docs_are_for_signed_in_users(client, client_as, manager):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code in (401, 403)
    assert client_as(manager).get("/api/schema/").status_code == 200


def test_the_health_check_answers_on_the_container_address_in_production(client, settings):
    settings.ALLOWED_HOSTS = ["sales.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    r = client.get("/healthz/", HTTP_HOST="127.0.0.1:8000")
    assert r.status_code == 200 and r.content == b"ok"
    assert client.get("/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400  # the host check stays
    assert "/healthz/" in (ROOT / "docker-compose.yml").read_text()
