"""A user sees only his stores' records; a consultant only his own (DESIGN.md)."""

import pytest

from apps.org.models import Store, Team, User
from apps.org.scoping import visible

pytestmark = pytest.mark.django_db

VERBS = ["get", "put", "patch", "delete"]


def test_a_manager_sees_only_his_stores(manager, store, other_store):
    assert list(visible(Store.objects.all(), manager)) == [store]


def test_an_admin_sees_every_store(admin_user, store, other_store):
    assert set(visible(Store.objects.all(), admin_user)) == {store, other_store}


def test_an_inactive_or_anonymous_user_sees_nothing(manager, store):
    from django.contrib.auth.models import AnonymousUser

    assert not visible(Store.objects.all(), AnonymousUser()).exists()
    manager.is_active = False
    assert not visible(Store.objects.all(), manager).exists()


def test_a_user_in_two_stores_is_listed_once(admin_user, manager, store, other_store):
    manager.stores.add(other_store)
    assert list(visible(User.objects.filter(pk=manager.pk), admin_user)) == [manager]
    assert visible(User.objects.all(), manager).filter(pk=manager.pk).count() == 1


@pytest.mark.parametrize("verb", VERBS)
def test_the_api_answers_404_for_another_stores_records(verb, api_as, manager, other_store, other_consultant):
    other_team = Team.objects.create(store=other_store, name="B team")
    api = api_as(manager)
    for url in [
        f"/api/v1/stores/{other_store.pk}/",
        f"/api/v1/teams/{other_team.pk}/",
        f"/api/v1/users/{other_consultant.pk}/",
        f"/api/v1/regions/{other_store.region_id}/",
    ]:
        response = getattr(api, verb)(url, {}, format="json")
        # 404 before any permission check on writes: the record must not be revealed.
        assert response.status_code in (404, 403), (verb, url, response.status_code)
        if verb == "get":
            assert response.status_code == 404, url


def test_the_store_page_answers_404_for_another_store(client_as, manager, store, other_store):
    client = client_as(manager)
    assert client.get(f"/org/stores/{store.pk}/").status_code == 200
    assert client.get(f"/org/stores/{other_store.pk}/").status_code == 404
    listing = client.get("/org/stores/").content.decode()
    assert store.name in listing and other_store.name not in listing


def test_a_consultant_sees_himself_and_his_team_in_the_users_api(api_as, consultant, consultant2, manager):
    ids = {u["id"] for u in api_as(consultant).get("/api/v1/users/").json()["results"]}
    assert ids == {consultant.pk, consultant2.pk}
    assert api_as(consultant).get(f"/api/v1/users/{manager.pk}/").status_code == 404


def test_scoping_filters_by_the_store_ids_not_a_subquery(manager, store, other_store):
    """`store_id IN (3)` with the ids lets the planner use the (store, …) indexes; a
    subquery over user_stores made it scan whole tables at a dealer group's size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.activities.models import Visit

    sql = str(visible(Visit.objects.all(), manager).query)
    assert "user_stores" not in sql
    assert f"IN ({store.pk})" in sql
    fresh = User.objects.get(pk=manager.pk)  # as a request's user: nothing read yet
    with CaptureQueriesContext(connection) as ctx:
        list(visible(Visit.objects.all(), fresh))
        list(visible(Visit.objects.all(), fresh))
    # One query reads the store ids for this user object, then one per list.
    assert len(ctx) == 3


def test_a_change_to_the_users_stores_is_seen_at_once(manager, store, other_store):
    from apps.org.scoping import store_ids

    assert store_ids(manager) == [store.pk]
    manager.stores.add(other_store)
    assert store_ids(manager) == sorted([store.pk, other_store.pk])
    manager.stores.remove(store)
    assert list(visible(Store.objects.all(), manager)) == [other_store]


def test_the_apps_postgresql_sessions_run_without_jit():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
