"""Test personas, in one place (STYLE.md): every test module uses these.

Store A (`store`) has a manager, two consultants in one team, customer service, a
service advisor, marketing and finance; store B (`other_store`) has its own manager
and a consultant. `admin_user` has the admin role over both.
"""

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.org.models import Store, Team, User
from apps.org.roles import Role
from apps.org.tests.factories import StoreFactory, TeamFactory, UserFactory

PASSWORD = "pw-for-tests-1"
CHROMIUM = "/usr/bin/chromium"
# CI sets REQUIRE_SERVICES=1: then a test that needs PostgreSQL, Redis or Chromium
# fails instead of skipping, so a green CI run really exercised them.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture
def store(db: None) -> Store:
    return StoreFactory(name="北京朝阳4S店", code="bj")


@pytest.fixture
def other_store(db: None) -> Store:
    return StoreFactory(name="上海浦东4S店", code="sh")


@pytest.fixture
def team(store: Store) -> Team:
    return TeamFactory(store=store, name="销售一组")


def _persona(username: str, role: str, stores: list[Store], **extra: Any) -> User:
    return UserFactory(username=username, role=role, stores=stores, password=PASSWORD, **extra)


@pytest.fixture
def manager(store: Store) -> User:
    return _persona("manager", Role.MANAGER, [store], name="郑经理")


@pytest.fixture
def consultant(store: Store, team: Team) -> User:
    return _persona("consultant", Role.CONSULTANT, [store], team=team, name="王伟")


@pytest.fixture
def consultant2(store: Store, team: Team) -> User:
    return _persona("consultant2", Role.CONSULTANT, [store], team=team, name="李娜")


@pytest.fixture
def other_manager(other_store: Store) -> User:
    return _persona("other_manager", Role.MANAGER, [other_store], name="钱经理")


@pytest.fixture
def other_consultant(other_store: Store) -> User:
    return _persona("other_consultant", Role.CONSULTANT, [other_store], name="赵敏")


@pytest.fixture
def cs_agent(store: Store) -> User:
    return _persona("cs_agent", Role.CUSTOMER_SERVICE, [store], name="何客服")


@pytest.fixture
def advisor(store: Store) -> User:
    return _persona("advisor", Role.SERVICE_ADVISOR, [store], name="马顾问")


@pytest.fixture
def marketing(store: Store) -> User:
    return _persona("marketing", Role.MARKETING, [store], name="高市场")


@pytest.fixture
def finance(store: Store) -> User:
    return _persona("finance", Role.FINANCE, [store], name="罗会计")


@pytest.fixture
def admin_user(store: Store, other_store: Store) -> User:
    return _persona("admin", Role.ADMIN, [store, other_store], name="管理员")


@pytest.fixture
def client_as(client: Client) -> Any:
    """client_as(user) → the Django test client, logged in as that user."""

    def login(user: User) -> Client:
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_as() -> Any:
    """api_as(user) → a DRF APIClient authenticated as that user (None: anonymous)."""

    from apps.org.scoping import forget_store_ids

    class FreshUserClient(APIClient):
        """A served request's user is a fresh object (session or token); the forced one
        is this test's object, so what it remembered (its store ids) is forgotten first
        and every request costs what it costs in production."""

        def request(self, **kwargs: Any) -> Any:
            forced = self.handler._force_user
            if forced is not None:
                forget_store_ids(forced)
            return super().request(**kwargs)

    def login(user: User | None) -> APIClient:
        api = FreshUserClient()
        if user is not None:
            api.force_authenticate(user)
        return api

    return login


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not shutil.which(CHROMIUM):
        skip_or_fail(f"{CHROMIUM} is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are still plain synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context on the live server; desktop size unless a test resizes."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    """A phone-sized browser context (consultants work on phones)."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _quick_password_hashes(settings: Any) -> None:
    """A password hash is slow on purpose (0.3-0.45 s on 2 cores) and the tests make
    thousands of users: in tests it is a quick one. Nothing a test checks depends on
    the algorithm; production keeps Django's default."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _language_of_the_site() -> Iterator[None]:
    """Each test starts in the site's language: a page requested in Chinese leaves the
    test thread in Chinese (LocaleMiddleware activates, nothing deactivates)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Under pytest-xdist (`make test` runs `-n auto --dist loadgroup`), every test marked
    `services` runs in one worker process, one after another: the real Celery workers
    they start share one Redis queue and would otherwise take each other's tasks."""
    if not config.pluginmanager.hasplugin("xdist"):  # `-p no:xdist`: one process, no groups
        return
    for item in items:
        if item.get_closest_marker("services"):
            item.add_marker(pytest.mark.xdist_group("services"))
