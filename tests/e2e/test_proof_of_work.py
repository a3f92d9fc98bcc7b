"""The proof of work (ALTCHA) in Chromium: the browser really solves it, a person does nothing.

The forms that send e-mails carry a challenge; pow.js hands it to Web Workers
that solve it with WebCrypto while the person types. Checked here: the form
goes through on the main test server (a quick proof of work), a form sent
before the work is done waits for it and is then sent by itself (on a server
with a harder one), a replayed solution is refused, and without JavaScript
the page explains why it cannot be sent.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP
from .flows import create_account, fill_registration, heading, new_address, sign_out

pytestmark = pytest.mark.e2e

DONE = "Checked: you are not a robot."
WAITING = "Almost done checking that you are not a robot"


@pytest.fixture(scope="session")
def slow_server(make_server):
    # About a second or two of work in Chromium here (PBKDF2, 1000 iterations per attempt).
    return make_server("pow-slow", LIMEN_POW_COST="1000", LIMEN_POW_DIFFICULTY="12000")


def test_lost_password_with_the_proof_of_work_done_by_the_browser(site):
    page = site.page
    email = create_account(site)
    sign_out(site, check=False)
    site.goto("/password/lost/")
    expect(page.get_by_role("status")).to_have_text(DONE)
    assert page.locator("input[name=altcha]").input_value()  # the solution, ready to be sent
    site.check("lost password, proof of work done")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_role("button", name="Send me a link").click()
    expect(heading(page, "Check your e-mail")).to_be_visible()
    assert site.mailbox.wait_for(email, subject="Choose a new").link_to("/password/reset/")


def test_a_form_sent_before_the_work_is_done_waits_and_is_sent_by_itself(site, slow_server):
    site.url = slow_server.url
    page = site.page
    email = new_address("early")
    site.goto("/register/")
    expect(page.get_by_role("status")).to_contain_text("Checking that you are not a robot")
    site.check("registration, proof of work running")
    fill_registration(page, first="Eager", last="Person", email=email)
    page.get_by_role("button", name="Create an account").click()
    if heading(page, "Create an account").is_visible():  # still working: the form waits
        expect(page.get_by_role("status")).to_contain_text(WAITING)
        page.screenshot(path=str(site.shots / "waiting-for-the-proof-of-work.png"), full_page=True)
    expect(heading(page, "Check your e-mail")).to_be_visible(timeout=60_000)
    assert site.mailbox.wait_for(email, subject="Choose your").link_to("/verify/")


def test_a_solution_cannot_be_sent_twice(site):
    page = site.page
    site.goto("/password/lost/")
    expect(page.get_by_role("status")).to_have_text(DONE)
    page.get_by_label("E-mail", exact=True).fill(new_address("replay"))
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/password/lost/")) as sent:
        page.get_by_role("button", name="Send me a link").click()
    expect(heading(page, "Check your e-mail")).to_be_visible()
    form = dict(parse_qsl(sent.value.post_data))
    assert form["altcha"]
    # The same request again, with the same cookies: the solution was spent by the first one.
    again = page.context.request.post(site.url + "/password/lost/", form=form,
                                      headers={"Referer": site.url + "/password/lost/"})
    assert again.status == 200
    assert "The check that you are not a robot did not pass." in again.text()
    assert "Check your e-mail" not in again.text()


def test_without_javascript_the_form_says_what_it_needs(browser, site):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.url + "/password/lost/")
        # What a browser with JavaScript turned off shows. (Playwright's switch stops scripts but
        # Chromium still parses <noscript> as if they ran, so its text is checked in the page.)
        assert "This form needs JavaScript to show that you are not a robot" in page.locator("noscript").inner_html()
        page.screenshot(path=str(site.shots / "no-javascript-form.png"), full_page=True)
        page.get_by_label("E-mail", exact=True).fill(new_address("nojs"))
        page.get_by_role("button", name="Send me a link").click()
        expect(heading(page, "Lost your password?")).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text("Turn JavaScript on in your browser")
        page.screenshot(path=str(site.shots / "no-javascript-refused.png"), full_page=True)
    finally:
        context.close()
