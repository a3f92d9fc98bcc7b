"""The language switcher in the page header."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.support import a11y

from .conftest import DESKTOP, SCREENSHOTS, Site, _slug, watched
from .flows import PASSWORD, new_address

pytestmark = pytest.mark.e2e


def test_switch_to_french_and_back(site):
    page = site.page
    site.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_label("Language").select_option(label="français")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert site.path() == "/login/"  # the same page, in the new language
    site.check("identify (fr)")

    # The choice sticks for the next pages.
    site.goto("/register/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    site.check("register (fr)")

    page.locator("#language-switch").select_option("en")
    page.locator(".lang-form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.fixture
def hungarian_site(request, browser, limen_server, mailbox):
    """A browser whose language is Hungarian (Accept-Language: hu-HU)."""
    context = browser.new_context(viewport=DESKTOP, locale="hu-HU")
    a11y.serve_axe(context)
    context.set_default_timeout(10_000)
    shots = SCREENSHOTS / _slug(request.node.name)
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True, exist_ok=True)
    yield Site(watched(context.new_page()), limen_server, mailbox, shots)
    context.close()


def test_the_browsers_language_then_the_switchers_choice_survives_signing_in(hungarian_site):
    """A Hungarian browser gets Hungarian; the person switches to Finnish and signs in to an account whose
    interface language is English: the pages stay Finnish (signing in used to switch back to English)."""
    site = hungarian_site
    email = new_address("finnish")
    site.server.manage("shell", "-c", "from limen.accounts.models import User; "
                       f"User.objects.create_user({email!r}, {PASSWORD!r}, first_name='Aino', last_name='Virtanen', "
                       "email_verified=True, interface_language='en')")
    page = site.page
    site.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "hu")
    site.check("identify (hu, from the browser)")

    page.locator("#language-switch").select_option("fi")
    page.locator(".lang-form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=email]").press("Enter")
    expect(page.get_by_role("heading", level=1, name="Tervetuloa takaisin")).to_be_visible()
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url("**/account/")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1, name="Oma tili")).to_be_visible()
    site.check("my account (fi, kept after signing in)")

    # Signed in, the switcher also changes the account's interface language; the e-mail language stays.
    page.locator("#language-switch").select_option("sv")
    page.locator(".lang-form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    site.goto("/account/details/")
    expect(page.locator("#id_interface_language")).to_have_value("sv")
    expect(page.locator("#id_email_language")).to_have_value("en")
