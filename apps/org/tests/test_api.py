"""The API conventions of API.md: auth, pagination, errors, roles, schema."""

import pytest
from drf_spectacular.validation import validate_schema

from apps.org.models import User
from apps.org.roles import Role

pytestmark = pytest.mark.django_db


def test_a_token_is_issued_for_a_valid_password_and_authenticates(client, manager, store):
    from conftest import PASSWORD

    response = client.post("/api/v1/auth/token/", {"username": "manager", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    listing = client.get("/api/v1/stores/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listing.status_code == 200
    assert [s["name"] for s in listing.json()["results"]] == [store.name]


def test_a_wrong_password_gets_400_with_a_message(client, manager):
    response = client.post("/api/v1/auth/token/", {"username": "manager", "password": "nope"})
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


def test_an_anonymous_request_gets_401(api_as):
    response = api_as(None).get("/api/v1/stores/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_lists_are_paginated_and_page_size_is_capped_at_200(api_as, admin_user):
    from apps.catalog.models import VehicleModel

    VehicleModel.objects.bulk_create(
        VehicleModel(brand="B", name=f"M{i}", body_type="sedan", msrp=100000, cost=90000) for i in range(205)
    )
    body = api_as(admin_user).get("/api/v1/vehicle-models/?page_size=500").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 205 and len(body["results"]) == 200 and body["next"]


def test_only_the_admin_role_writes_users(api_as, manager, admin_user, store):
    data = {
        "username": "newbie",
        "password": "S3cret-pass!",
        "name": "新人",
        "role": "consultant",
        "store_ids": [store.pk],
    }
    assert api_as(manager).post("/api/v1/users/", data, format="json").status_code == 403
    response = api_as(admin_user).post("/api/v1/users/", data, format="json")
    assert response.status_code == 201, response.json()
    assert "password" not in response.json()
    user = User.objects.get(username="newbie")
    assert user.check_password("S3cret-pass!")
    assert [g.name for g in user.groups.all()] == [Role.CONSULTANT]


def test_a_superuser_has_the_admin_roles_powers(api_as, store):
    root = User.objects.create_superuser("root", password="x-long-password-1", role=Role.CONSULTANT)
    response = api_as(root).post("/api/v1/regions/", {"name": "西南区"}, format="json")
    assert response.status_code == 201


def test_bad_input_gets_400_naming_the_field(api_as, admin_user, store):
    response = api_as(admin_user).post(
        "/api/v1/users/", {"username": "x", "role": "pilot", "store_ids": [999999]}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert {"role", "store_ids"} <= set(body)


def test_a_team_from_another_store_is_refused_for_a_user(api_as, admin_user, store, other_store):
    from apps.org.models import Team

    team = Team.objects.create(store=other_store, name="B")
    response = api_as(admin_user).post(
        "/api/v1/users/",
        {
            "username": "y",
            "password": "S3cret-pass!",
            "role": "consultant",
            "store_ids": [store.pk],
            "team": team.pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "team" in response.json()


def test_deleting_a_user_deactivates_him(api_as, admin_user, consultant):
    assert api_as(admin_user).delete(f"/api/v1/users/{consultant.pk}/").status_code == 204
    consultant.refresh_from_db()
    assert consultant.is_active is False


def test_the_schema_is_a_valid_openapi_3_document(client, admin_user):
    client.force_login(admin_user)  # the schema is for signed-in users (issue 16)
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on an invalid document
    for path in ["/api/v1/stores/", "/api/v1/users/", "/api/v1/vehicle-models/", "/api/v1/auth/token/"]:
        assert path in schema["paths"]


def test_the_docs_page_uses_no_cdn(client, admin_user):
    client.force_login(admin_user)
    html = client.get("/api/docs/").content.decode()
    assert "/static/vendor/swagger-ui/" in html
    assert "cdn" not in html.lower()


def test_a_store_posted_with_only_the_contract_fields_gets_a_derived_code(api_as, admin_user, store):
    """API.md names `id, name, region` for stores/: a client sending just those must succeed."""
    api = api_as(admin_user)
    first = api.post("/api/v1/stores/", {"name": "广州天河4S店", "region": store.region_id}, format="json")
    assert first.status_code == 201, first.json()
    second = api.post("/api/v1/stores/", {"name": "深圳南山4S店", "region": store.region_id}, format="json")
    assert (first.json()["code"], second.json()["code"]) == ("store", "store-2")
    latin = api.post("/api/v1/stores/", {"name": "Hangzhou West", "region": store.region_id}, format="json")
    assert latin.json()["code"] == "hangzhou-west"
    taken = api.post(
        "/api/v1/stores/", {"name": "x", "code": store.code, "region": store.region_id}, format="json"
    )
    assert taken.status_code == 400 and "code" in taken.json()
    kept = api.patch(f"/api/v1/stores/{first.json()['id']}/", {"name": "广州天河店"}, format="json")
    assert kept.json()["code"] == "store"
