"""The operators' site in Chromium, under the same strict Content-Security-Policy as every page.

An operator signs in and goes through admin pages whose scripts matter (theme
switch, navigation, "select all" for actions, the two-box selector with the
JavaScript catalogue). Every page must come with the policy, report no CSP
violation (console or securitypolicyviolation event) and no script error, and
its scripts must have run. The policy is shown to be enforced: an inline
script injected into an admin page is refused and reported.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from limen.core.middleware import SecurityHeadersMiddleware

from .flows import PASSWORD, new_address, sign_in

pytestmark = pytest.mark.e2e

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
    (event) => window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline")));
"""


@pytest.fixture(scope="module")
def operator(limen_server):
    email = new_address("operator")
    subprocess.run([sys.executable, "-m", "limen.cli", "createsuperuser", "--noinput", "--email", email,
                    "--first_name", "Olive", "--last_name", "Operator"],
                   env={**limen_server.env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD}, cwd=limen_server.data_dir,
                   capture_output=True, text=True, check=True)
    return email


def visit(site, path: str):
    """Open an admin page: it must carry the strict policy and load without violations or errors."""
    response = site.goto(path)
    assert response.status == 200, (path, response.status)
    assert response.headers.get("content-security-policy") == SecurityHeadersMiddleware.POLICY, path
    site.page.wait_for_load_state("load")
    expect(site.page.locator("#site-name")).to_contain_text("operators")


def assert_nothing_blocked(site, where: str):
    page = site.page
    violations = page.evaluate("window.__cspViolations")
    problems = list(page.limen_problems) + [f"securitypolicyviolation: {v}" for v in violations]
    assert not problems, f"{where}:\n  " + "\n  ".join(problems)


def test_admin_pages_work_under_the_strict_policy(site, operator):
    page = site.page
    page.context.add_init_script(WATCH_VIOLATIONS)
    sign_in(site, operator, PASSWORD, check=False)

    # Index: theme.js ran (it sets data-theme at once) and its button switches the theme.
    visit(site, "/admin/")
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "auto")
    page.locator("button.theme-toggle").first.click()
    expect(html).not_to_have_attribute("data-theme", "auto")
    assert_nothing_blocked(site, "/admin/")

    # A list with actions: actions.js selects every row and counts them; nav_sidebar.js toggles the menu.
    visit(site, "/admin/accounts/user/")
    page.locator("#action-toggle").check()
    expect(page.locator("input.action-select").first).to_be_checked()
    expect(page.locator(".action-counter")).to_contain_text("selected")
    expect(page.locator(".action-counter")).not_to_contain_text("0 of")
    sidebar = page.locator("#nav-sidebar")
    was_open = page.evaluate("document.querySelector('.main').classList.contains('shifted')")
    page.locator("#toggle-nav-sidebar").click()
    assert page.evaluate("document.querySelector('.main').classList.contains('shifted')") != was_open
    expect(sidebar).to_be_attached()
    assert_nothing_blocked(site, "/admin/accounts/user/")

    # The two-box selector (SelectFilter2, with the JavaScript catalogue) moves every permission across.
    visit(site, "/admin/auth/group/add/")
    chosen = page.locator("#id_permissions_to option")
    expect(chosen).to_have_count(0)
    page.locator("#id_permissions_add_all").click()
    assert chosen.count() > 10
    assert_nothing_blocked(site, "/admin/auth/group/add/")

    # CAS and OpenID Connect registrations render with their new fields.
    visit(site, "/admin/cas/service/add/")
    expect(page.get_by_label("Validation response layout")).to_be_visible()
    visit(site, "/admin/oidc/client/add/")
    expect(page.get_by_label("PKCE required")).to_be_checked()
    expect(page.get_by_label("ID token signature")).to_have_value("RS256")
    assert page.get_by_label("ID token signature").locator("option").all_text_contents() == [
        "RS256 (RSA with SHA-256)", "ES256 (ECDSA P-256 with SHA-256)"]
    assert_nothing_blocked(site, "registration forms")

    # The policy is in force: an inline script added to the page is refused, and that is seen.
    page.evaluate("""() => { const s = document.createElement("script");
                             s.textContent = "window.__inlineRan = true;"; document.body.append(s); }""")
    assert page.evaluate("window.__inlineRan") is None
    page.wait_for_function("window.__cspViolations.length > 0")
    assert any("script-src" in v for v in page.evaluate("window.__cspViolations"))
