"""Every page, walked as each demo role in 简体中文, shows no English.

The pages come from the URL resolver, so a page added later is walked too: every
pattern without arguments is opened directly; a pattern with arguments is opened
once through the first link to it found on the walked pages. A run of Latin words
fails unless each word is a name or code from the data, a unit or code below, or
has a digit in it (plates, VINs, periods such as 2026-Q4).
"""

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from apps.dashboard.tests.demo_copy import seed_demo
from apps.org.models import Store, User

# Units, codes and product names a Chinese team writes in Latin letters too; the
# language switcher names English in English; the status page names the services.
ALLOWED = {
    "km", "vin", "suv", "mpv", "sms", "kpi", "cny", "vip", "xlsx", "csv", "pdf", "excel", "wechat",
    "dealersales", "english", "celery", "redis", "postgresql", "sqlite", "asia", "shanghai",
    # the column headers an import file must carry (codes, shown as such)
    "name", "mobile", "grade", "source", "gender", "occupation", "region", "address", "colour",
    "trim", "cost",
}  # fmt: skip
SKIP_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/logout/", "/language/", "/__")
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9'’&_.-]*(?:[ \t]+[A-Za-z0-9][A-Za-z0-9'’&_.-]*)*")
TEXT_ATTRS = ("placeholder", "title", "aria-label", "alt", "data-confirm")
SKIP_TAGS = ("script", "style", "template", "svg", "code", "kbd")  # code is shown as code
FIELD = re.compile(r"\{[a-z_]+\}")  # a message template's {customer}, {due_date} …


class _Text(HTMLParser):
    """The text a user reads: text nodes outside script/style, labels in attributes,
    and the caption of value-bearing buttons; links too, to walk on."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in SKIP_TAGS:
            self._skip += 1
        self.chunks += [a[k] for k in TEXT_ATTRS if a.get(k)]
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.chunks.append(a["value"])
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.chunks.append(data)


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, bool]]:
    """(route, has arguments) of every page pattern."""
    out: list[tuple[str, bool]] = []
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            out += _patterns(p, route)
        elif isinstance(p, URLPattern):
            out.append((route, bool(p.pattern.regex.groupindex) or "<" in route))
    return out


def _data_words() -> set[str]:
    """Names and codes from the data: usernames, store codes, brands and model names."""
    from apps.activities.models import MarketReport
    from apps.catalog.models import BodyType, VehicleModel

    words: set[str] = set(BodyType.values)  # codes a form asks for (sedan, suv …)
    values: list[Any] = [
        *User.objects.values_list("username", flat=True),
        *Store.objects.values_list("code", flat=True),
        *VehicleModel.objects.values_list("brand", "name"),
        *MarketReport.objects.values_list("competitor_brand", "competitor_model"),
    ]
    for v in values:
        for text in v if isinstance(v, tuple) else (v,):
            words.update(w.lower() for w in re.findall(r"[A-Za-z]+", str(text)))
    return words


def offences(html: str, allowed: set[str]) -> tuple[list[str], list[str]]:
    parser = _Text()
    parser.feed(html)
    bad = []
    for chunk in parser.chunks:
        for run in LATIN_RUN.findall(FIELD.sub(" ", chunk)):
            words = [w.strip("'’&_.-") for w in run.split()]
            english = [
                w
                for w in words
                if len(w) > 1
                and not re.search(r"[\d_]", w)  # plates, periods, codes
                and not (w.isupper() and len(w) <= 5)  # codes: SUV, P5, H/A/B …
                and not all(part.lower() in allowed or len(part) == 1 for part in re.findall(r"[A-Za-z]+", w))
            ]
            if english:
                bad.append(run)
    return bad, parser.links


@pytest.mark.django_db
def test_no_english_on_any_page_for_a_chinese_user(client):
    seed_demo()
    User.objects.update(language="zh-hans")
    allowed = ALLOWED | _data_words()
    patterns = [(route, has_args) for route, has_args in _patterns(get_resolver())]
    plain = ["/" + route for route, has_args in patterns if not has_args]
    plain = [u for u in plain if not u.startswith(SKIP_PREFIXES)]
    found: dict[str, str] = {}  # pattern route → first link seen to it
    problems: dict[str, list[str]] = {}
    walked = 0
    # The admin opens every page; a consultant sees his own versions of the shared ones.
    for user in User.objects.filter(username__in=["admin", "sales_bj01"]):
        client.force_login(user)
        queue = list(plain)
        seen: set[str] = set()
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            walked += 1
            bad, links = offences(response.content.decode(), allowed)
            if bad:
                problems.setdefault(url, []).extend(sorted(set(bad)))
            for link in links:
                path = urlsplit(link).path
                if path.startswith(SKIP_PREFIXES):
                    continue
                try:
                    match = resolve(path)
                except Resolver404:
                    continue
                if match.kwargs or match.args:
                    if match.route not in found:
                        found[match.route] = path
                        queue.append(link)
    assert walked > 40, f"only {walked} pages answered: is the demo data seeded?"
    assert not problems, "English left for a zh-hans user:\n" + "\n".join(
        f"  {url}: {runs}" for url, runs in sorted(problems.items())
    )
