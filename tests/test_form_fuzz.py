"""Junk-input pass over every page form (issue 16): whatever a careless user or an
attacker types or sends, a page answers with its form and a message, a redirect or a
4xx, never a 500.

The forms are found, not listed: on the demo data each persona of store bj walks every
page the URL resolver has, following links one record deep; every <form> the pages
draw is fuzzed once, by the first persona that reached it. A form the view put in its
context (a Django form or a filter set's form) gets values drawn by hypothesis from its
fields' types (numbers beyond the column, dates in year 1 or 9999, choices that are
not offered, ids of other stores' records, NUL bytes, very long text); a form with no
Django form behind it (a button with hidden inputs) gets junk in its inputs. Each form
gets the FIXED bodies below plus EXAMPLES generated ones (FORM_FUZZ_EXAMPLES), from a
seed per route (FORM_FUZZ_SEED changes them all). GET forms (the lists' filters) are
sent as query strings. A route whose form is not sent is in UNFUZZED with its reason.
"""

import os
import time
import zlib
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.test.utils import ContextList
from django.urls import get_resolver
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from apps.dashboard.tests.demo_copy import seed_demo
from apps.org.models import User

from .test_access_sweep import SKIP, Links, page_patterns, route_of

EXAMPLES = int(os.environ.get("FORM_FUZZ_EXAMPLES", "6"))
SEED = int(os.environ.get("FORM_FUZZ_SEED", "0"))
# Store bj's people, the admin and the group roles: every role's pages and forms.
PERSONAS = ["manager_bj", "sales_bj01", "cs_bj", "advisor_bj", "marketing", "finance", "admin"]
# Page routes whose forms are not sent junk, each with its reason.
UNFUZZED = {
    "password/": "a junk new password that passes would sign the persona out of the rest of the pass; "
    "its validation is Django's (tests/test_login_protection.py covers the change)",
    "tokens/": "under SKIP: a token's creation and revocation are tests/test_login_protection.py",
}
LONG = "界" * 5000 + "\x00"
# Sent to every form as the value of every field.
FIXED: list[str | None] = [None, LONG, "-99999999999999999999.999", "0001-01-01"]
# Pages per route the walk opens: a form is the same on every record of a route.
PER_ROUTE = 2


class Forms(Links):
    """A page's links (Links) and its forms: method, action and their fields' names and values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {
                "method": a.get("method", "get").lower(),
                "action": a.get("action", ""),
                "fields": {},
            }
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button") and a.get("name"):
            self._form["fields"].setdefault(a["name"], (a.get("type", tag), a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def context_forms(response: Any) -> list[forms.BaseForm]:
    """The Django forms a page drew from its context (filter sets give their form)."""
    found: dict[int, forms.BaseForm] = {}
    drawn = response.context
    for context in drawn if isinstance(drawn, ContextList) else [drawn] if drawn is not None else []:
        for value in context.flatten().values():
            form = getattr(value, "form", value) if hasattr(value, "qs") else value
            if isinstance(form, forms.BaseForm):
                found[id(form)] = form
            elif isinstance(value, forms.BaseFormSet):
                for sub in [value.management_form, *value.forms]:
                    found[id(sub)] = sub
    return list(found.values())


# ------------------------------------------------------------------ strategies

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
JUNK = st.one_of(
    TEXT,
    st.sampled_from(["", " ", "\x00", "null", "[]", "{}", "abc", "1e400", "NaN", "-0", LONG, "<script>"]),
)


def _ids(field: forms.ModelChoiceField) -> st.SearchStrategy[str]:
    """Real ids of the field's model, other stores' included, and ids no row has."""
    model = field.queryset.model
    real = list(model._default_manager.order_by("?").values_list("pk", flat=True)[:20])
    return st.one_of(
        st.sampled_from([str(pk) for pk in real] or ["1"]),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        JUNK,
    )


def field_strategy(field: forms.Field) -> st.SearchStrategy[Any]:
    if isinstance(field, forms.ModelMultipleChoiceField):
        return st.lists(_ids(field), max_size=3)
    if isinstance(field, forms.ModelChoiceField):
        return _ids(field)
    if isinstance(field, forms.MultipleChoiceField):
        offered = [str(k) for k, _ in field.choices if not isinstance(_, (list, tuple))] or ["x"]
        return st.lists(st.one_of(st.sampled_from(offered), JUNK), max_size=3)
    if isinstance(field, forms.ChoiceField):
        offered = [str(k) for k, _ in field.choices if not isinstance(_, (list, tuple))] or ["x"]
        return st.one_of(st.sampled_from(offered), JUNK)
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return st.sampled_from(["on", "", "true", "false", "unknown", "2"])
    if isinstance(field, forms.IntegerField):
        return st.one_of(st.integers(min_value=-(2**80), max_value=2**80).map(str), JUNK)
    if isinstance(field, forms.DecimalField | forms.FloatField):
        return st.one_of(
            st.decimals(allow_nan=True, allow_infinity=True).map(str),
            st.floats().map(str),
            st.integers(min_value=10**8, max_value=10**30).map(str),
            JUNK,
        )
    if isinstance(field, forms.DateTimeField):
        return st.one_of(st.datetimes().map(lambda d: d.isoformat()), JUNK)
    if isinstance(field, forms.DateField):
        return st.one_of(
            st.dates().map(date.isoformat),
            st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}"),
            st.sampled_from(["9999-12", "0000-01", "2026-13", "2026-02-30"]),
            JUNK,
        )
    if isinstance(field, forms.TimeField):
        return st.one_of(st.times().map(lambda t: t.isoformat()), JUNK)
    if isinstance(field, forms.FileField):
        return st.binary(max_size=2000).map(lambda b: SimpleUploadedFile("upload.xlsx", b))
    return JUNK


def body_strategy(target: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, (kind, value) in target["html"].items():
        if name == "csrfmiddlewaretoken":
            continue
        fields[name] = st.one_of(st.just(value), JUNK) if kind in ("hidden", "submit", "button") else JUNK
    form = target["form"]
    if form is not None:
        for name, field in form.fields.items():
            fields[form.add_prefix(name)] = field_strategy(field)
    return st.fixed_dictionaries({}, optional=fields)


# ------------------------------------------------------------------------ walk


def walk(
    client: Client, start: list[str], targets: dict[tuple[str, str, frozenset[str]], dict[str, Any]]
) -> int:
    """Opens the pages reachable from `start` and adds the forms they draw to `targets`
    (keyed by method, action route and field names: the first persona's is kept)."""
    queue, seen, per_route = list(start), set(), dict[str, int]()
    while queue:
        url = queue.pop(0)
        route = route_of(urlsplit(url).path)
        if url in seen or route is None or per_route.get(route, 0) >= PER_ROUTE:
            continue
        seen.add(url)
        per_route[route] = per_route.get(route, 0) + 1
        r = client.get(url)
        if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
            continue
        parser = Forms()
        parser.feed(r.content.decode())
        drawn = context_forms(r)
        for html in parser.forms:
            action = urlsplit(html["action"]).path or urlsplit(url).path
            action_route = route_of(action)
            if action_route is None or action.startswith(SKIP) or action_route in UNFUZZED:
                continue
            names = set(html["fields"]) - {"csrfmiddlewaretoken"}
            form = max(
                drawn,
                key=lambda f, names=names: len(names & {f.add_prefix(n) for n in f.fields}),
                default=None,
            )
            if form is not None and not names & {form.add_prefix(n) for n in form.fields}:
                form = None
            key = (html["method"], action_route, frozenset(names))
            if key not in targets:
                # The action as drawn, its query kept (a form may post to ?next=…).
                full = html["action"] or url
                targets[key] = {
                    "url": full,
                    "route": action_route,
                    "html": html["fields"],
                    "form": form,
                    "method": html["method"],
                    "client": client,
                }
        for link in parser.get:
            path = urlsplit(link).path
            if not path.startswith(SKIP) and route_of(path) is not None and link not in seen:
                queue.append(link)
    return len(seen)


def send(target: dict[str, Any], body: dict[str, Any], problems: list[str]) -> None:
    client: Client = target["client"]
    method: Callable[..., Any] = client.post if target["method"] == "post" else client.get
    try:
        # A savepoint per request: a view that breaks the transaction must not break the
        # requests after it (the test's own transaction spans the whole pass).
        with transaction.atomic():
            r = method(target["url"], body)
            status = r.status_code
    except Exception as exc:  # noqa: BLE001 - the test client re-raises the view's error
        status, detail = 500, f"{type(exc).__name__}: {str(exc)[:200]}"
    else:
        detail = ""
    if status >= 500:
        shown = {k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v) for k, v in body.items()}
        problems.append(
            f"{target['method'].upper()} {target['url']} ({target['route']}): {status} {detail} {shown}"
        )


def fuzz(target: dict[str, Any], problems: list[str]) -> int:
    names = set(target["html"]) - {"csrfmiddlewaretoken"}
    if target["form"] is not None:
        names |= {target["form"].add_prefix(n) for n in target["form"].fields}
    for value in FIXED:
        send(target, {} if value is None else dict.fromkeys(names, value), problems)
    sent = len(FIXED)

    @seed(zlib.crc32(f"{target['method']} {target['route']}".encode()) + SEED)
    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(body_strategy(target))
    def generated(body: dict[str, Any]) -> None:
        nonlocal sent
        sent += 1
        send(target, body, problems)

    if EXAMPLES:
        generated()
    return sent


@pytest.mark.django_db
def test_no_page_form_answers_junk_with_a_server_error():
    started = time.monotonic()
    seed_demo()
    patterns = page_patterns(get_resolver())
    plain = ["/" + r for r, has_args in patterns if not has_args and not ("/" + r).startswith(SKIP)]
    targets: dict[tuple[str, str, frozenset[str]], dict[str, Any]] = {}
    clients: dict[str, Client] = {}
    pages = 0
    for username in PERSONAS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[username] = client
        pages += walk(client, plain, targets)
    walked = time.monotonic()
    problems: list[str] = []
    sent = sum(fuzz(target, problems) for target in targets.values())
    with_form = sum(1 for t in targets.values() if t["form"] is not None)
    # Every persona is still signed in: a pass that logged one out would have fuzzed
    # the login page instead of his forms.
    for username, client in clients.items():
        assert client.get("/").status_code == 200, f"{username} was signed out by the pass"
    assert with_form >= 40, f"only {with_form} Django forms found: the walk broke"
    print(
        f"\nform junk pass: {len(targets)} forms ({with_form} with a Django form) on {pages} pages,"
        f" {sent} requests; {time.monotonic() - started:.0f} s, of which the demo and the walk"
        f" {walked - started:.0f} s"
    )
    assert not problems, f"{len(problems)} server errors:\n" + "\n".join(problems)
