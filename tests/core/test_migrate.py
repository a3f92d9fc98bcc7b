"""One command prepares a database: `limen migrate` also creates the cache table.

Rate limits and CAPTCHA triggers live in the cache, a database table unless
LIMEN_REDIS_URL is set; Django makes that table with a second command
(createcachetable), and a forgotten one was a server error at the first
registration.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from limen import settings as limen_settings
from tests.oidc.live import Browser
from tests.support.limen_server import LimenServer


@pytest.fixture
def database_cache(settings) -> str:
    """Limen's own cache setting (the tests otherwise use an in-memory cache); returns the table name."""
    settings.CACHES = limen_settings.CACHES
    return settings.CACHES["default"]["LOCATION"]


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.mark.django_db(transaction=True)
def test_migrate_creates_the_cache_table(database_cache):
    table = database_cache
    with connection.schema_editor() as editor:
        editor.execute(f"DROP TABLE {editor.quote_name(table)}")
    assert table not in _tables()
    call_command("migrate", interactive=False, verbosity=0)
    assert table in _tables()


@pytest.mark.django_db(transaction=True)
def test_migrate_plan_changes_nothing(database_cache):
    table = database_cache
    with connection.schema_editor() as editor:
        editor.execute(f"DROP TABLE {editor.quote_name(table)}")
    try:
        call_command("migrate", plan=True, verbosity=0)
        assert table not in _tables()
    finally:
        call_command("createcachetable", verbosity=0)


def test_a_fresh_database_after_limen_migrate_alone_takes_a_registration():
    """`limen migrate` (nothing else) on a new data directory, then `limen serve`, then a person registers."""
    server = LimenServer(name="migrate-only", email_url="console:")
    with server:
        log = server.log()
        assert "$ limen migrate" in log and "createcachetable" not in log  # the server was prepared by migrate only
        browser = Browser()
        response = browser.post_form(server.url + "/register/", {
            "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org",
            "email_confirm": "ada@example.org", "email_language": "en", "privacy": "on"})
        assert response.status_code == 302, (response.status_code, server.log()[-3000:])
        page = browser.get(server.url + response.headers["Location"])
        assert page.status_code == 200 and "Check your e-mail" in page.text
        assert "Internal Server Error" not in server.log()
