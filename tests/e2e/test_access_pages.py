"""The access request pages the demo flow does not show: a refusal with its reason and a new request, My
Account's tile and list, withdrawing, the validators' page of a request whose code was sent, and the pages
that say no (not a validator, no validation needed). Each page is checked at 1280 and 375 px."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, Site
from tests.e2e.factors.conftest import run_python
from tests.e2e.factors.steps import PASSWORD, account, heading, sign_in, sign_out
from tests.support import a11y

pytestmark = pytest.mark.e2e


def library(site) -> tuple[str, str, str]:
    """A CAS application that requires validation, and its validator; returns (name, slug, validator)."""
    suffix = uuid.uuid4().hex[:6]
    name, validator = f"Staff Library {suffix}", f"validator-{suffix}@example.org"
    run_python(site.server, f"""
from limen.access import policies
from limen.accounts.models import User
from limen.cas import registry
from limen.cas.access_link import ref
service, _ = registry.register(name={name!r}, url_pattern='https://library-{suffix}.example.org/')
policy, _ = policies.configure(ref(service), level='BASIC', fields=[
    {{"name": "readerCard", "label": "Reader card number", "type": "identifier", "pattern": "[A-Z][0-9]{{5}}",
      "help": "A capital letter and five digits, e.g. R12345."}},
    {{"name": "startDate", "label": "First day of service", "type": "date", "required": False}}])
person = User.objects.create_user({validator!r}, {PASSWORD!r}, first_name='Vic', last_name='Validator',
                                  email_verified=True, is_staff=True)
policies.add_validator(policy, person)
""")
    return name, f"staff-library-{suffix}", validator


def test_refusal_new_request_withdrawal_and_the_pages_that_say_no(site, browser, mailbox):
    page = site.page
    name, slug, validator = library(site)
    email = account(site, "reader")
    sign_in(site, email)
    expect(heading(page, "My Account")).to_be_visible()

    # No validation needed: a clear page.
    site.goto("/access/no-such-application/")
    expect(heading(page, "No access request needed")).to_be_visible()
    site.check("no access request needed")

    # Not a validator: the validators' page says so.
    site.goto("/validators/")
    expect(heading(page, "Validators only")).to_be_visible()
    site.check("validators only")

    # Ask, be refused with a reason, ask again.
    site.goto(f"/access/{slug}/")
    page.get_by_role("textbox", name="Reader card number", exact=True).fill("R12345")
    page.get_by_label("Reader card number, again").fill("R12345")
    page.get_by_role("button", name="Send my request").click()
    expect(heading(page, "We have received your request")).to_be_visible()
    site.goto("/account/")
    expect(page.get_by_role("link", name="Access requests")).to_be_visible()
    expect(page.get_by_text(f"{name}: Waiting for validation")).to_be_visible()
    site.check("My Account with access requests")

    other_context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    a11y.serve_axe(other_context)
    other_context.set_default_timeout(10_000)
    try:
        other = other_context.new_page()
        other.limen_problems = []
        validator_site = Site(other, site.server, mailbox, site.shots)
        validator_site.checked = site.checked
        sign_in(validator_site, validator)
        validator_site.goto("/validators/")
        other.get_by_role("link", name="Ada Lovelace").click()
        other.get_by_role("button", name="Refuse").click()
        expect(other.locator("#id_refuse-reason_error")).to_contain_text("Say why")
        validator_site.check("validators: refuse without a reason")
        other.get_by_label("Reason, sent to the person").fill("There is no reader card R12345 in our records.")
        other.get_by_role("button", name="Refuse").click()
        expect(other.get_by_text("request is refused")).to_be_visible()
        assert "no reader card R12345" in mailbox.wait_for(email, subject="was refused").body

        page.reload()
        site.goto(f"/access/{slug}/")
        expect(page.get_by_text("There is no reader card R12345 in our records.")).to_be_visible()
        site.check("request form after a refusal")
        page.get_by_role("textbox", name="Reader card number", exact=True).fill("R54321")
        page.get_by_label("Reader card number, again").fill("R54321")
        page.get_by_role("button", name="Send my request").click()
        expect(heading(page, "We have received your request")).to_be_visible()

        validator_site.goto("/validators/")
        other.get_by_role("link", name="Ada Lovelace").click()
        other.get_by_role("button", name="Approve and send the code").click()
        expect(other.get_by_text("request is approved")).to_be_visible()
        other.get_by_role("link", name="Ada Lovelace").click()
        expect(other.get_by_role("button", name="Send a new code")).to_be_visible()
        expect(other.get_by_role("button", name="Revoke the access")).to_be_visible()
        validator_site.check("validators: a request whose code was sent")
    finally:
        other_context.close()
    assert mailbox.wait_for(email, subject="Your validation code")

    # My Account's list, then withdrawing the request.
    site.goto("/account/access/")
    expect(page.get_by_text("Validation code sent")).to_be_visible()
    expect(page.get_by_text("Refused", exact=True).first).to_be_visible()
    site.check("my access requests: refused and code sent")
    page.get_by_role("link", name=f"Withdraw my request {name}").click()
    expect(heading(page, f"Withdraw your request for access to {name}?")).to_be_visible()
    site.check("withdraw a request")
    page.get_by_role("button", name="Withdraw my request").click()
    expect(page.get_by_text(f"Your request for access to {name} has been withdrawn.")).to_be_visible()
    assert mailbox.wait_for(email, subject="You withdrew your access")
    sign_out(site)
