"""Login protection (issue 16): a guessed username locks, an office address never does,
and API tokens expire and die with the password."""

import random
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from apps.org.services import user_update
from conftest import PASSWORD

pytestmark = pytest.mark.django_db
# Each test its own office address: the throttle lives in the cache (Redis), which
# parallel test processes share.
OFFICE = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


@pytest.fixture(autouse=True)
def _office_address():
    global OFFICE
    OFFICE = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    yield
    cache.delete_many([f"login-guard:{OFFICE}", f"login-guard:{OFFICE}:step"])


def _login(username, password, ip=None):
    return Client(REMOTE_ADDR=ip or OFFICE).post("/login/", {"username": username, "password": password})


def _token(username, password, ip=None):
    return Client(REMOTE_ADDR=ip or OFFICE).post(
        "/api/v1/auth/token/", {"username": username, "password": password}
    )


def test_wrong_passwords_lock_the_username_on_the_login_page_with_a_clear_message(manager):
    for _ in range(4):
        assert _login("manager", "wrong").status_code == 200
    assert _login("manager", "wrong").status_code == 429  # the fifth failure locks
    locked = _login("manager", PASSWORD)
    assert locked.status_code == 429
    assert "locked for 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in locked.client.session


def test_the_token_endpoint_and_the_admin_share_the_lock(manager, admin_user):
    for _ in range(4):
        assert _token("manager", "wrong").status_code == 400
    assert _token("manager", "wrong").status_code == 429
    r = _token("manager", PASSWORD)
    assert r.status_code == 429 and "locked" in r.json()["detail"]
    for _ in range(5):
        Client(REMOTE_ADDR=OFFICE).post("/admin/login/", {"username": "admin", "password": "x"})
    r = Client(REMOTE_ADDR=OFFICE).post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert r.status_code == 429


def test_a_guesser_never_locks_his_colleagues_at_the_same_address(manager, consultant):
    for _ in range(12):
        _login("manager", "wrong")
    ok = _login("consultant", PASSWORD)
    assert ok.status_code == 302 and ok["Location"] == "/"


def test_the_lock_ends_after_the_cool_off(manager):
    from axes.models import AccessAttempt

    for _ in range(5):
        _login("manager", "wrong")
    assert _login("manager", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login("manager", PASSWORD).status_code == 302


@override_settings(LOGIN_THROTTLE_USERNAMES=4, LOGIN_THROTTLE_SECONDS=60)
def test_an_address_that_tries_many_usernames_is_throttled_not_locked(manager, consultant):
    for name in ["a1", "a2", "a3", "a4"]:
        _login(name, "wrong")
    first = _login("consultant", PASSWORD)  # one attempt per step still goes through
    assert first.status_code == 302
    slowed = _login("manager", PASSWORD)
    assert slowed.status_code == 429 and "Wait 60 seconds" in slowed.content.decode()
    assert _login("manager", PASSWORD, ip="172.16.9.9").status_code == 302  # another address


def test_a_token_expires_after_the_configured_days(manager):
    key = _token("manager", PASSWORD).json()["token"]
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/stores/").status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(days=31))
    assert api.get("/api/v1/stores/").status_code == 401
    fresh = _token("manager", PASSWORD).json()["token"]
    assert fresh != key
    assert Client(HTTP_AUTHORIZATION=f"Token {fresh}").get("/api/v1/stores/").status_code == 200


def test_a_password_change_and_a_deactivation_revoke_the_token(manager):
    key = _token("manager", PASSWORD).json()["token"]
    manager.set_password("a-new-password-9")
    manager.save()
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/stores/").status_code == 401
    key = _token("manager", "a-new-password-9").json()["token"]
    user_update(user=manager, is_active=False)
    assert not Token.objects.filter(key=key).exists()


def test_changing_the_password_on_the_page_revokes_the_token(client, manager):
    key = _token("manager", PASSWORD).json()["token"]
    client.force_login(manager)
    r = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "Another-pass-77", "new_password2": "Another-pass-77"},
    )
    assert r.status_code == 302
    assert not Token.objects.filter(key=key).exists()


def test_a_user_sees_and_revokes_his_own_token(client, manager, consultant):
    key = _token("manager", PASSWORD).json()["token"]
    other = _token("consultant", PASSWORD).json()["token"]
    client.force_login(manager)
    page = client.get("/tokens/").content.decode()
    assert key[:8] in page and other[:8] not in page and key not in page
    assert client.post("/tokens/revoke/").status_code == 302
    assert not Token.objects.filter(key=key).exists() and Token.objects.filter(key=other).exists()
