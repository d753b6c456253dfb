"""Security headers (issue 16): a Content-Security-Policy that allows scripts from this
site's files only, a Permissions-Policy, and templates that need nothing more."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def policy(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/", "/api/docs/", "/api/v1/customers/?format=api", "/admin/"])
def test_every_response_carries_a_script_policy_without_inline_or_eval(client_as, admin_user, url):
    response = client_as(admin_user).get(url)
    assert response.status_code in (200, 302)
    csp = policy(response["Content-Security-Policy"])
    for directive in ("script-src", "default-src"):
        assert csp[directive] == ["'self'"], csp
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    features = response["Permissions-Policy"]
    assert "camera=()" in features and "geolocation=()" in features


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def templates() -> list[Path]:
    return sorted([*ROOT.glob("templates/**/*.html"), *ROOT.glob("apps/*/templates/**/*.html")])


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for path in templates():
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if INLINE_SCRIPT.search(line) or HANDLER.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert templates() and not found, "\n".join(found)


@pytest.mark.django_db
def test_the_api_docs_load_their_start_script_from_a_url(client_as, manager):
    client = client_as(manager)
    html = client.get("/api/docs/").content.decode()
    assert not INLINE_SCRIPT.search(html), "Swagger UI's start script is inline"
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
