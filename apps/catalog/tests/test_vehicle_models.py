import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import VehicleModel

pytestmark = pytest.mark.django_db


def make(n: int) -> None:
    start = VehicleModel.objects.count()
    VehicleModel.objects.bulk_create(
        VehicleModel(brand="丰田", name=f"型号{i:03d}", body_type="suv", msrp=200000 + i, cost=180000)
        for i in range(start, start + n)
    )


def test_the_list_runs_a_fixed_number_of_queries(client_as, manager):
    client = client_as(manager)
    make(3)
    with CaptureQueriesContext(connection) as few:
        client.get("/catalog/")
    make(60)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/catalog/").status_code == 200
    # session, user, count, one page of rows: the same whatever the number of rows.
    assert len(many) == len(few)


def test_the_list_filters_sorts_and_serves_an_htmx_fragment(client_as, consultant):
    VehicleModel.objects.create(brand="本田", name="CR-V", body_type="suv", msrp=181900, cost=165000)
    VehicleModel.objects.create(brand="本田", name="雅阁", body_type="sedan", msrp=169800, cost=150000)
    client = client_as(consultant)
    html = client.get("/catalog/?body_type=suv").content.decode()
    assert "CR-V" in html and "雅阁" not in html
    fragment = client.get("/catalog/?q=雅阁", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list").content.decode()
    assert "雅阁" in fragment and "<html" not in fragment
    ordered = client.get("/catalog/?ordering=-msrp").content.decode()
    assert ordered.index("CR-V") < ordered.index("雅阁")


def test_the_list_exports_to_xlsx(client_as, manager):
    from io import BytesIO

    from openpyxl import load_workbook

    make(3)
    response = client_as(manager).get("/catalog/?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.getvalue())).active.values)
    assert len(rows) == 4 and rows[1][0] == "丰田"


def test_a_manager_creates_a_model_and_bad_input_shows_on_the_form(client_as, manager):
    client = client_as(manager)
    bad = client.post("/catalog/new/", {"brand": "丰田", "name": "X", "body_type": "tank", "msrp": "-1"})
    assert bad.status_code == 200
    assert bad.context["form"].errors.keys() >= {"body_type", "msrp"}
    assert not VehicleModel.objects.exists()
    good = client.post(
        "/catalog/new/",
        {
            "brand": "丰田",
            "name": "凯美瑞",
            "body_type": "sedan",
            "msrp": "179800",
            "cost": "160000",
            "first_service_km": 5000,
            "first_service_months": 6,
            "service_interval_km": 10000,
            "service_interval_months": 12,
            "is_active": "on",
        },
    )
    assert good.status_code == 302
    assert VehicleModel.objects.get().name == "凯美瑞"


def test_a_consultant_may_read_but_not_edit(client_as, consultant):
    client = client_as(consultant)
    assert client.get("/catalog/").status_code == 200
    assert client.get("/catalog/new/").status_code == 403


def test_the_api_writes_money_as_a_two_place_string(api_as, manager, consultant):
    data = {
        "brand": "大众",
        "name": "帕萨特",
        "body_type": "sedan",
        "msrp": "181900",
        "cost": "165000.5",
        "first_service_km": 7500,
        "first_service_months": 6,
        "service_interval_km": 15000,
        "service_interval_months": 12,
    }
    assert api_as(consultant).post("/api/v1/vehicle-models/", data, format="json").status_code == 403
    response = api_as(manager).post("/api/v1/vehicle-models/", data, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["msrp"] == "181900.00" and response.json()["cost"] == "165000.50"


def test_the_api_refuses_a_duplicate_and_a_zero_interval(api_as, manager):
    VehicleModel.objects.create(brand="大众", name="帕萨特", body_type="sedan", msrp=1, cost=1)
    data = {"brand": "大众", "name": "帕萨特", "body_type": "sedan", "msrp": "1", "cost": "1"}
    duplicate = api_as(manager).post("/api/v1/vehicle-models/", data, format="json")
    assert duplicate.status_code == 400 and "non_field_errors" in duplicate.json()
    zero = api_as(manager).post(
        "/api/v1/vehicle-models/", {**data, "name": "途观L", "service_interval_km": 0}, format="json"
    )
    assert zero.status_code == 400 and "service_interval_km" in zero.json()
