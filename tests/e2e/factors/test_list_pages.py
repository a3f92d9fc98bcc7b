"""My Account's list pages on a phone: every row's actions within reach, one layout, one date style.

An account with one of everything (a security key, a mobile device, a phone number, an eID, recovery
codes) and two sessions; each list page is checked at 1280 and 375 px (site.check measures that no
link, button or field lies outside the window, which a table in a sideways-scrolling box did).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, out_of_reach

from .conftest import run_python
from .steps import PASSWORD, account, add_phone, heading, register_key, sign_in

DATE = re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC$")


def add_everything_else(site, email: str) -> None:
    run_python(site.server, f"""
from limen.accounts.models import User
from limen.core import clock
from limen.factors.eid.models import EidLink, UpstreamProvider
from limen.factors.mobile_app.models import DeviceStatus, MobileDevice
from limen.factors.recovery import codes
from limen.factors.recovery.models import RecoveryCode
user = User.objects.get(email={email!r})
MobileDevice.objects.create(user=user, name="My Android phone with a long name", status=DeviceStatus.ACTIVE,
                            public_key="-", sealed="")
provider, _ = UpstreamProvider.objects.get_or_create(slug="lists-eid", defaults=dict(
    name="Test national eID", issuer="https://lists-eid.example.org", client_id="limen"))
EidLink.objects.create(user=user, provider=provider, issuer=provider.issuer, subject=str(user.uid), created=clock.now())
RecoveryCode.objects.create(user=user, digest=codes.digest(codes.normalise(codes.new_code())), created=clock.now())
""")


def test_every_list_page_works_on_a_phone(factors_site, virtual_authenticator, browser):
    site = factors_site
    page = site.page
    email = account(site, "lists")
    virtual_authenticator("usb", resident=False)
    sign_in(site, email)
    expect(heading(page, "My Account")).to_be_visible()
    register_key(site, kind="Security key", name="Blue key with a rather long name", button="Use my security key")
    expect(page.get_by_text("is registered")).to_be_visible()
    add_phone(site, email)
    add_everything_else(site, email)

    # A second session, in another browser.
    other = browser.new_context(viewport=PHONE, locale="en-GB")
    try:
        elsewhere = other.new_page()
        elsewhere.goto(site.url + "/login/")
        elsewhere.get_by_label("E-mail").fill(email)
        elsewhere.get_by_role("button", name="Next").click()
        elsewhere.get_by_label("Password only", exact=True).check()
        elsewhere.get_by_label("Password", exact=True).fill(PASSWORD)
        elsewhere.get_by_role("button", name="Sign in", exact=True).click()
        expect(heading(elsewhere, "My Account")).to_be_visible()
    finally:
        other.close()

    pages = [
        ("/account/security-keys/", "Manage my security keys and trusted platforms", "security keys"),
        ("/account/mobile/", "Manage my mobile devices", "mobile devices"),
        ("/account/phones/", "Manage my mobile phone numbers", "phone numbers"),
        ("/account/eid/", "Manage my eIDs", "eIDs"),
        ("/account/recovery-codes/", "Manage my recovery codes", "recovery codes"),
        ("/account/activity/", "My recent activity", "activity"),
    ]
    for path, title, name in pages:
        site.goto(path)
        expect(heading(page, title)).to_be_visible()
        for when in page.locator("main time").all_inner_texts():
            assert DATE.match(when), f"{name}: {when!r}"
        site.check(name)  # at 375 px: nothing interactive outside the window
        page.set_viewport_size(PHONE)
        assert out_of_reach(page) == [], name
        page.set_viewport_size({"width": 1280, "height": 800})

    # The row's own actions are there, within reach, on a phone.
    page.set_viewport_size(PHONE)
    site.goto("/account/security-keys/")
    for action in ("Rename", "Remove"):
        box = page.get_by_role("link", name=f"{action} Blue key with a rather long name").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (action, box)
    site.goto("/account/activity/")
    expect(page.get_by_role("rowheader").filter(has_text="this browser")).to_have_count(1)
    expect(page.get_by_role("rowheader")).to_have_count(2)
