"""Access sweep (issue 16): every API route and every page, built from the API router
and the URL resolver, opened by each persona that may not see its records, answers
403/404 and shows none of their data. A route added tomorrow is swept too; one the
sweep cannot build a request for fails the test until it is listed with a reason.

On the demo data (two stores), as these personas:
- another store's manager and consultant (manager_sh, sales_sh02),
- another consultant of the same store (sales_bj03: not a team lead),
- store-wide roles of the same store that own nothing (cs_bj, advisor_bj).

API: for each viewset the records a persona may not see are those its model's
ScopeRule hides from him (apps/org/scoping.visible). His list (JSON and the HTML
API) holds none of them; a detail, PUT, PATCH, DELETE and every detail action on
one answer exactly as they do for an id that does not exist (no oracle), and never
2xx or 5xx. Pages: every link and form action found walking as the owning store's
manager and consultant is opened (GET) or sent (POST) by the other store's personas
and refused; every page, and its CSV export, shows no name of a customer or staff
member the persona may not see; each menu entry refuses the roles it is not for.
"""

import re
import time
from collections import defaultdict
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone
from rest_framework.test import APIClient

from apps.customers.models import Customer
from apps.dashboard.tests.demo_copy import seed_demo
from apps.org.models import Store, User
from apps.org.navigation import MENU
from apps.org.scoping import visible

OUTSIDERS = ["manager_sh", "sales_sh02", "sales_bj03", "cs_bj", "advisor_bj"]
OTHER_STORE = ["manager_sh", "sales_sh02"]
# Walked to find the URLs of store bj's records (users of bj only).
OWNERS = ["manager_bj", "sales_bj01", "sales_bj02", "cs_bj", "advisor_bj"]
MISSING = 999_999_999

# API routes the sweep does not build requests for, each with its reason.
API_UNSWEPT = {
    "notifications": "a user's own notifications: the queryset is request.user's, no ScopeRule to compare",
    "scorecards": "computed rows (no table): their scoping is tests in apps/scoring",
    "store-months": "a computed report per store and month (no table, no ids): apps/dashboard tests",
    "vehicle-models": "reference data every signed-in user reads (ScopeRule(store=None))",
    "weight-sets": "reference data every signed-in user reads (ScopeRule(store=None))",
}
# API lists that show more than the model's ScopeRule, by design.
API_WIDER = {
    "stock-transfers": "a transfer is seen by the store it leaves as well as the one it goes to",
    "customers": "a store's public pool (owner empty) is open to its consultants to claim",
}
# Page routes with arguments the walk does not reach, each with its reason.
# (seed_demo, as the tests run it, makes no appointment, statement, notification or
# transfer; RECORDS builds these routes when it does.)
_NO_DEMO = "no such record in the test demo; scoping: "
PAGES_UNREACHED: dict[str, str] = {
    **dict.fromkeys(
        [
            "appointments/<int:pk>/cancel/",
            "appointments/<int:pk>/confirm/",
            "appointments/<int:pk>/reschedule/",
        ],
        _NO_DEMO + "apps/appointments/tests/test_api_and_pages.py",
    ),
    **dict.fromkeys(
        ["incentives/<int:pk>/", "incentives/<int:pk>/approve/", "incentives/<int:pk>/correct/"],
        _NO_DEMO + "apps/incentives/tests/test_api_pages.py",
    ),
    "notifications/<int:pk>/read/": _NO_DEMO
    + "apps/notifications/tests/test_notifications.py (404 for another's)",
    "stock/transfers/<int:pk>/<slug:step>/": _NO_DEMO + "apps/stock/tests/test_pages.py, test_api.py",
}
# Menu entries whose pages also serve roles the menu does not list, by design.
MENU_WIDER = {
    "activities:report_list": "a consultant reads his own daily reports there (role_required(C, M))",
    "customers:my_day": "any sales role has a work list of his own customers",
    "aftersales:my_day": "a manager opens the customer-service work list of his store",
    "customers:nurture": "managers oversee the marketing nurture list of their store",
    "scoring:home": "a router: a manager is sent to his store's ranking",
}
# Values for route arguments that are not record ids (store and month: set in the test).
SLUGS: dict[str, Any] = {"step": "approve", "measure": "units"}
# Routes the walk does not reach (their forms show only in some states): a record of
# store bj of this model, found by this lookup, gives their ids.
RECORDS = {
    "appointments/": ("appointments.Appointment", "store"),
    "incentives/": ("incentives.Statement", "store"),
    "notifications/": ("notifications.Notification", "user__username"),
    "stock/transfers/": ("stock.Transfer", "from_store"),
}
# Pages whose records every store sees (reference data), so another store gets 200.
PAGES_SHARED = {
    "catalog/": "vehicle models are reference data for every store",
}
SKIP = ("/admin/", "/api/", "/static/", "/media/", "/logout/", "/language/", "/__", "/tokens/")
REFUSED = (403, 404)


def api_client(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def hidden(model: type[Model], user: User) -> set[int]:
    everything = model._default_manager.all()
    return set(everything.values_list("pk", flat=True)) - set(
        visible(everything, user).values_list("pk", flat=True)
    )


def canaries(user: User) -> set[str]:
    """Names the user must never be shown: customers he may not see (the public pool
    aside: every consultant of its store may claim from it) and staff of other stores,
    less any name he may see (names repeat between people)."""
    customers = Customer.objects.all()
    seen_customers = visible(customers, user) | customers.filter(owner=None, store__in=user.stores.all())
    staff = User.objects.all()
    seen = set(seen_customers.values_list("name", flat=True)) | set(
        visible(staff, user).values_list("name", flat=True)
    )
    hidden_names = set(customers.exclude(pk__in=seen_customers.values("pk")).values_list("name", flat=True))
    hidden_names |= set(
        staff.exclude(pk__in=visible(staff, user).values("pk")).values_list("name", flat=True)
    )
    return {n for n in hidden_names - seen if len(n) >= 2}


def leaked(body: str, names: set[str]) -> list[str]:
    return sorted(n for n in names if n in body)[:5]


# ------------------------------------------------------------------------ API


def sweep_api(users: dict[str, User], problems: list[str]) -> dict[str, int]:
    from dealersales.urls import router

    counts: dict[str, int] = defaultdict(int)
    swept_routes = set()
    for prefix, viewset, _basename in router.registry:
        if prefix in API_UNSWEPT:
            continue
        queryset = getattr(viewset, "queryset", None)
        if queryset is None or getattr(queryset.model, "scope", None) is None:
            problems.append(
                f"api {prefix}: no queryset with a ScopeRule; list it in API_UNSWEPT with a reason"
            )
            continue
        swept_routes.add(prefix)
        model = queryset.model
        actions = [a for a in viewset.get_extra_actions()]
        for username in OUTSIDERS:
            user = users[username]
            api = api_client(user)
            secret = hidden(model, user)
            names = canaries(user)
            base = f"/api/v1/{prefix}/"
            r = api.get(base, {"page_size": 200})
            counts["requests"] += 1
            if r.status_code == 200:
                ids = {row.get("id") for row in r.json().get("results", []) if isinstance(row, dict)}
                if ids & secret and prefix not in API_WIDER:
                    problems.append(
                        f"api {prefix} list as {username}: shows hidden ids {sorted(ids & secret)[:5]}"
                    )
            elif r.status_code not in REFUSED:
                problems.append(f"api {prefix} list as {username}: {r.status_code}")
            html = api.get(base, {"format": "api"})
            counts["requests"] += 1
            shown = leaked(html.content.decode(), names) if html.status_code == 200 else []
            if html.status_code >= 500 or shown:
                problems.append(f"api {prefix}?format=api as {username}: {html.status_code} {shown}")
            for action in actions:
                if not action.detail:
                    path = f"{base}{action.url_path}/"
                    r = api.get(path)
                    counts["requests"] += 1
                    if r.status_code >= 500:
                        problems.append(f"api {path} as {username}: {r.status_code}")
            if not secret:
                continue
            # One hidden record of another store and one of his own store (another
            # consultant's), when there are such.
            rule = model.scope
            owned = model._default_manager.filter(pk__in=secret).order_by("pk")
            mine = {f"{rule.store}__in": user.stores.all()}
            samples = {owned.exclude(**mine).values_list("pk", flat=True).first()}
            samples.add(owned.filter(**mine).values_list("pk", flat=True).first())
            requests = [("get", "{}/", None), ("get", "{}/?format=api", None)]
            requests += [("put", "{}/", {}), ("patch", "{}/", {}), ("delete", "{}/", None)]
            for action in actions:
                if action.detail:
                    requests += [(m, f"{{}}/{action.url_path}/", {}) for m in action.mapping]
            absent: dict[tuple[str, str], int] = {}
            for pk in sorted(p for p in samples if p is not None):
                for method, template, data in requests:
                    for key in (pk, MISSING):
                        if key == MISSING and (method, template) in absent:
                            continue
                        url = base + template.format(key)
                        send = getattr(api, method)
                        r = send(url, data, format="json") if data is not None else send(url)
                        counts["requests"] += 1
                        if key == MISSING:
                            absent[(method, template)] = r.status_code
                        else:
                            got = r.status_code
                    if got != absent[(method, template)] or not 400 <= got < 500:
                        problems.append(
                            f"api {method.upper()} {base}{template.format('<hidden>')} as {username}: "
                            f"{got} (absent id: {absent[(method, template)]})"
                        )
    counts["routes"] = len(swept_routes)
    return counts


# ---------------------------------------------------------------------- pages


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.get: list[str] = []
        self.post: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for key in ("href", "hx-get"):
            if a.get(key, "").startswith("/"):
                self.get.append(a[key])
        if tag == "form" and a.get("action", "").startswith("/"):
            (self.post if a.get("method", "get").lower() == "post" else self.get).append(a["action"])


def page_patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            out += page_patterns(p, route)
        elif isinstance(p, URLPattern):
            out.append((route, bool(p.pattern.regex.groupindex) or "<" in route))
    return out


def route_of(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


def walk(client: Client, start: list[str]) -> tuple[dict[str, set[str]], dict[str, set[str]], set[str]]:
    """Pages reachable from `start`: route → concrete links (GET) and form actions (POST)."""
    gets: dict[str, set[str]] = defaultdict(set)
    posts: dict[str, set[str]] = defaultdict(set)
    queue, seen, pages = list(start), set(), set()
    while queue:
        url = queue.pop(0)
        if url in seen or len(seen) > 1500:
            continue
        seen.add(url)
        r = client.get(url)
        if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
            continue
        pages.add(url)
        parser = Links()
        parser.feed(r.content.decode())
        for link in parser.get:
            path = urlsplit(link).path
            route = route_of(path)
            if route is None or path.startswith(SKIP):
                continue
            if resolve(path).kwargs:
                if len(gets[route]) < 3 and link not in gets[route]:
                    gets[route].add(link)
                    queue.append(link)
        for action in parser.post:
            path = urlsplit(action).path
            route = route_of(path)
            if route is not None and resolve(path).kwargs and len(posts[route]) < 3:
                posts[route].add(path)
    return gets, posts, pages


ARG = re.compile(r"<(?:(\w+):)?(\w+)>")


def fill(route: str, values: dict[str, Any]) -> str | None:
    built = route
    for m in ARG.finditer(route):
        value = values.get(m.group(2), SLUGS.get(m.group(2)))
        if value is None:
            return None
        built = built.replace(m.group(0), str(value), 1)
    return "/" + built


def from_record(route: str, store: Store) -> str | None:
    from django.apps import apps

    for prefix, (label, lookup) in RECORDS.items():
        if route.startswith(prefix):
            value = "manager_bj" if lookup.endswith("username") else store
            pk = (
                apps.get_model(label)
                .objects.filter(**{lookup: value})
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            first = pk.first()
            ids = [m.group(2) for m in ARG.finditer(route) if m.group(1) == "int"]
            return fill(route, dict.fromkeys(ids, first)) if first and len(ids) == 1 else None
    return None


def derive(route: str, reached: dict[str, str]) -> str | None:
    """A URL for `route` from a reached route that shares its leading part up to and
    including every record id it takes (orders/<pk>/cancel/ from orders/<pk>/)."""
    last_int = max((m.end() for m in ARG.finditer(route) if m.group(1) == "int"), default=0)
    if not last_int:
        return fill(route, {})
    head = route[:last_int]
    for other, url in reached.items():
        if other.startswith(head) and other != route:
            return fill(route, resolve(urlsplit(url).path).kwargs)
    return None


def sweep_pages(users: dict[str, User], problems: list[str], store: Store) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    patterns = page_patterns(get_resolver())
    plain = ["/" + r for r, has_args in patterns if not has_args and not ("/" + r).startswith(SKIP)]
    gets: dict[str, set[str]] = defaultdict(set)
    posts: dict[str, set[str]] = defaultdict(set)
    for username in OWNERS:
        client = Client()
        client.force_login(users[username])
        g, p, _pages = walk(client, plain)
        for route, links in g.items():
            gets[route] |= links
        for route, actions in p.items():
            posts[route] |= actions
    with_args = {r for r, has_args in patterns if has_args and not ("/" + r).startswith(SKIP)}
    reached = {route: sorted(urls)[0] for route, urls in (*gets.items(), *posts.items())}
    derived: dict[str, str] = {}
    for route in sorted(with_args - set(reached) - set(PAGES_UNREACHED)):
        url = derive(route, reached) or from_record(route, store)
        if url is None:
            problems.append(
                f"page {route}: no URL found or derived; list it in PAGES_UNREACHED with a reason"
            )
        else:
            derived[route] = url
    counts["routes"] = len(plain) + len(with_args)
    counts["reached"] = len(reached) + len(derived)

    names_of: dict[str, set[str]] = {}
    for username in OUTSIDERS:
        user = users[username]
        names_of[username] = canaries(user)
        client = Client()
        client.force_login(user)

        def check(
            method: str, url: str, route: str, refuse: bool, client: Client = client, username: str = username
        ) -> None:
            r = client.post(url, {}) if method == "POST" else client.get(url)
            counts["requests"] += 1
            raw = b"".join(r.streaming_content) if r.streaming else r.content  # type: ignore[attr-defined]
            body = raw.decode(errors="replace")
            if r.status_code >= 500:
                problems.append(f"page {method} {url} as {username}: {r.status_code}")
            elif refuse and r.status_code not in REFUSED and not (method == "GET" and r.status_code == 405):
                problems.append(f"page {method} {url} ({route}) as {username}: {r.status_code}")
            elif r.status_code == 200 and (found := leaked(body, names_of[username])):
                problems.append(f"page {method} {url} as {username}: shows {found}")
            if method == "GET" and r.status_code == 405 and refuse:
                check("POST", url, route, refuse)

        for url in plain:
            check("GET", url, url, False)
            check("GET", url + "?export=csv", url, False)
        if username not in OTHER_STORE:
            continue
        # Store bj's records, from another store: refused when the route takes a record id.
        for route in sorted(with_args):
            if any(route.startswith(s) for s in PAGES_SHARED):
                continue
            refuse = any(m.group(1) == "int" for m in ARG.finditer(route))
            for link in sorted(gets.get(route, ())):
                check("GET", link, route, refuse)
            for action in sorted(posts.get(route, ())):
                check("POST", action, route, refuse)
            if route in derived:
                check("GET", derived[route], route, refuse)

    # Each menu entry refuses the roles it is not for.
    for item in MENU:
        if item.url_name in MENU_WIDER:
            continue
        url = reverse(item.url_name)
        for username in OUTSIDERS:
            user = users[username]
            if user.has_role(*item.roles):
                continue
            client = Client()
            client.force_login(user)
            r = client.get(url)
            counts["requests"] += 1
            if r.status_code not in REFUSED:
                problems.append(f"menu {url} ({item.url_name}) as {username} ({user.role}): {r.status_code}")
    return counts


def demo_personas() -> dict[str, User]:
    seed_demo()
    users = {u.username: u for u in User.objects.filter(username__in=OUTSIDERS + OWNERS)}
    assert set(users) == set(OUTSIDERS + OWNERS)
    assert not users["sales_bj03"].led_teams.exists()
    return users


# Two tests, so that pytest-xdist runs the API and the pages side by side.
@pytest.mark.django_db
def test_no_persona_reaches_records_outside_his_scope_through_the_api():
    started = time.monotonic()
    problems: list[str] = []
    counts = sweep_api(demo_personas(), problems)
    print(
        f"\nAPI access sweep: {counts['routes']} routes x {len(OUTSIDERS)} personas,"
        f" {counts['requests']} requests, {time.monotonic() - started:.0f} s"
    )
    assert not problems, f"{len(problems)} access problems:\n" + "\n".join(problems)


@pytest.mark.django_db
def test_no_persona_reaches_records_outside_his_scope_through_the_pages():
    started = time.monotonic()
    users = demo_personas()
    bj = Store.objects.get(code="bj-cy")
    SLUGS.update(store=bj.pk, month=f"{timezone.localdate().replace(day=1) - timedelta(days=1):%Y-%m}")
    problems: list[str] = []
    counts = sweep_pages(users, problems, bj)
    print(
        f"\npage access sweep: {counts['routes']} routes ({counts['reached']} with arguments reached)"
        f" x {len(OUTSIDERS)} personas, {counts['requests']} requests, {time.monotonic() - started:.0f} s"
    )
    assert not problems, f"{len(problems)} access problems:\n" + "\n".join(problems)
