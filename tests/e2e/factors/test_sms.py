"""Mobile Phone + SMS in the browser: add numbers (with the mistakes people make), sign in with a code."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, Site, _slug

from .steps import account, heading, mail, sign_in, sign_out, sms_code


def test_add_a_number_and_sign_in_with_an_sms_code(factors_site, outbox):
    site = factors_site
    page = site.page
    email = account(site, "sms")
    sign_in(site, email)
    page.get_by_role("link", name="Manage my mobile phone numbers").click()
    expect(heading(page, "Manage my mobile phone numbers")).to_be_visible()
    site.check("phone numbers: none yet")
    page.get_by_role("link", name="Add a mobile phone number").click()
    site.check("add a number")

    # Without the country code: the message shows the expected form.
    page.get_by_label("Mobile phone number").fill("0701234567")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#id_number_error")).to_contain_text("+46701234567")
    site.check("number without country code")
    page.get_by_label("Mobile phone number").fill("+46 70 12")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#id_number_error")).to_contain_text("does not exist")

    page.get_by_label("Mobile phone number").fill("+46 70 123 45 67")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(heading(page, "Type the code we sent you")).to_be_visible()
    expect(page.get_by_text("+46 70 123 45 67")).to_be_visible()
    site.check("finalise")
    page.get_by_label("Code from the SMS").fill("AAA-AAA-AAA")
    page.get_by_role("button", name="Finalise").click()
    expect(page.locator("#id_code_error")).to_contain_text("This code is not correct")
    site.check("wrong code")
    page.get_by_role("button", name="Send a new code").click()
    expect(page.get_by_text("less than 60 seconds ago")).to_be_visible()
    code = sms_code(outbox, site, "+46701234567")
    page.get_by_label("Code from the SMS").fill(code.lower())
    page.get_by_role("button", name="Finalise").click()
    expect(page.get_by_text("is registered. You can now sign in with Mobile Phone + SMS")).to_be_visible()
    expect(page.get_by_role("rowheader", name="+46 70 123 45 67", exact=True)).to_be_visible()
    site.check("phone numbers: one")
    assert "Mobile phone number: +46 70 ••• •• 67" in mail(site, email, "A verification method was added")

    sign_out(site)
    sign_in(site, email, method="Mobile Phone + SMS", check=True)
    expect(heading(page, "Mobile Phone + SMS")).to_be_visible()
    site.check("SMS sign-in: choose the number")
    page.get_by_label("Or type the full number").fill("+33612345678")
    page.get_by_role("button", name="Send the code").click()
    expect(page.locator("#id_typed_error")).to_contain_text("not registered to your account")
    site.check("SMS sign-in: a number that is not registered")
    page.get_by_label("Or type the full number").fill("")
    page.get_by_label("+46 70 ••• •• 67").check()
    page.get_by_role("button", name="Send the code").click()
    expect(heading(page, "Type the code we sent you")).to_be_visible()
    site.check("SMS sign-in: type the code")
    page.get_by_label("Code from the SMS").fill(sms_code(outbox, site, "+46701234567"))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(heading(page, "My Account")).to_be_visible()


def test_sms_switched_off(request, page, make_server, mailbox):
    server = make_server("no-sms", host="localhost", LIMEN_SMS_ENABLED="0")
    shots = SCREENSHOTS / "factors" / _slug(request.node.name)
    shots.mkdir(parents=True, exist_ok=True)
    site = Site(page, server, mailbox, shots)
    email = account(site, "nosms")
    sign_in(site, email)
    expect(heading(page, "My Account")).to_be_visible()
    expect(page.get_by_role("link", name="Manage my mobile phone numbers")).to_have_count(0)
    site.goto("/account/phones/add/")
    expect(page.get_by_text("switched off on this service")).to_be_visible()
    site.check("SMS switched off")
