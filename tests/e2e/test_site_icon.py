"""The site's icon: linked from every page, and at /favicon.ico, where browsers look by themselves."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_the_tab_shows_limens_icon(site):
    page = site.page
    site.goto("/login/")
    linked = page.evaluate("""async () => {
        const link = document.querySelector('link[rel=icon]');
        const answer = await fetch(link.href);
        return {status: answer.status, type: answer.headers.get('content-type')};
    }""")
    assert linked["status"] == 200 and linked["type"].startswith("image/svg+xml"), linked
    answer = page.request.get(site.url + "/favicon.ico")  # follows the redirect, as browsers do
    assert answer.ok and answer.headers["content-type"].startswith("image/svg+xml"), answer.status
    assert answer.url.endswith("/static/limen/icon.svg")
