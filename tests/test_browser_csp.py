"""In Chromium, under the real Content-Security-Policy: pages with charts, the moved
scripts, Swagger UI, the HTML API and the admin run with no policy violation and no
script error."""

from typing import Any

import pytest

from apps.scoring.views import default_period
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = e.sourceFile + ":" + e.lineNumber;
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " at " + where);
});
"""


def watch(page: Any) -> list[str]:
    """Every CSP violation and script error the page reports, as text."""
    problems: list[str] = []
    page.add_init_script(LISTEN)
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    return problems


def visit(page: Any, problems: list[str], url: str, ready: str) -> None:
    page.goto(url)
    page.wait_for_selector(ready, state="attached")
    page.wait_for_load_state("networkidle")
    problems.extend(f"{url}: {v}" for v in page.evaluate("window.__csp"))


def test_pages_charts_api_docs_and_admin_run_under_the_policy(page, admin_user, consultant, other_store):
    from apps.scoring.tests import factories as f

    f.order(consultant, default_period().start, 188000, 170000)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    problems = watch(page)
    page.goto("/login/")
    page.fill("input[name=username]", admin_user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")

    visit(page, problems, "/dashboard/", "canvas#funnel")
    # The store picker sends its form when changed (data-autosubmit, no onchange=).
    with page.expect_navigation():
        page.select_option("select[name=store]", str(other_store.pk))
    assert f"store={other_store.pk}" in page.url
    visit(page, problems, f"/scoring/consultant/{consultant.pk}/", "canvas#trend")
    assert page.evaluate("Chart.getChart(document.getElementById('trend')).data.datasets[0].label")
    visit(page, problems, "/stock/overview/", "main")
    visit(page, problems, "/activities/visits/new/", "#customer-choices")
    visit(page, problems, "/api/docs/", ".opblock")  # Swagger UI drew the operations
    visit(page, problems, "/api/v1/customers/?format=api", ".response-info")
    visit(page, problems, "/admin/", "#content-main")
    visit(page, problems, "/admin/org/user/", "#changelist")
    visit(page, problems, f"/admin/org/user/{consultant.pk}/change/", "form")
    assert not problems, "\n".join(problems)
