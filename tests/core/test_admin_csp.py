"""The operators' site sends the same strict Content-Security-Policy as every other page, and its pages
need nothing that policy forbids: no inline script, inline style, style attribute or event handler.

tests/e2e/test_admin.py checks the same in Chromium (no violation reported, the admin's scripts run).
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse

from limen.core.middleware import SecurityHeadersMiddleware

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """Collects what a policy without 'unsafe-inline' blocks."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self._inline_script = True
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_data(self, data):
        if self._inline_script and data.strip():
            self.found.append(f"inline <script>: {data.strip()[:80]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inline_script = False


@pytest.fixture
def operator_client(client, make_user):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def some_objects(make_user):
    """One row for the change pages of the admin's main lists."""
    from limen.cas import registry
    from limen.oidc import clients

    make_user(email="someone@example.org")
    registry.register(name="Europass", url_pattern="https://europass.example.org/", attributes="all")
    clients.register(name="Payroll", redirect_uris=["https://payroll.example.org/cb"])


def admin_pages() -> list[str]:
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for model, _model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        pages.append(reverse("admin:%s_%s_changelist" % info))
        pages.append(reverse("admin:%s_%s_add" % info))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(reverse("admin:%s_%s_change" % info, args=[first.pk]))
    return pages


def test_every_admin_page_gets_the_strict_policy_and_needs_no_inline_code(operator_client, some_objects):
    problems = []
    pages = admin_pages()
    assert len(pages) > 30
    for path in pages:
        response = operator_client.get(path)
        if response.status_code == 403:  # e.g. adding rows that only Limen itself creates
            continue
        assert response.status_code == 200, (path, response.status_code)
        assert response["Content-Security-Policy"] == SecurityHeadersMiddleware.POLICY, path
        parser = InlineCode()
        parser.feed(response.content.decode())
        problems += [f"{path}: {finding}" for finding in parser.found]
    assert not problems, "\n".join(problems)
