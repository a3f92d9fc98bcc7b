"""My Account's list pages: one layout, one way of writing dates (the reader's language, with the time
zone), every cell labelled for the phone layout."""

import re

import pytest

pytestmark = pytest.mark.django_db

TIME = re.compile(r'<time datetime="[0-9T:+-]+">(\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC)</time>')
OLD_STYLES = re.compile(r"\d{4}-\d{2}-\d{2}|\(UTC\)")


@pytest.fixture
def full_account(signed_in_client, add_phone, add_key, softkey, add_mobile_device, add_eid_link,
                 add_recovery_codes):
    user = signed_in_client.user
    add_phone(user)
    add_key(user, softkey())
    add_mobile_device(user)
    add_eid_link(user)
    add_recovery_codes(user)
    return signed_in_client


def visible(html: str) -> str:
    """The page without its tags' attributes (a <time>'s datetime is for machines)."""
    return re.sub(r"<[^>]*>", " ", html)


@pytest.mark.parametrize("url, dates", [
    ("/account/security-keys/", 1),   # added (never used yet)
    ("/account/mobile/", 1),
    ("/account/phones/", 1),
    ("/account/eid/", 1),
    ("/account/recovery-codes/", 1),
    ("/account/activity/", 3),         # at least: the session's start and last use, one event
])
def test_dates_in_one_style_with_the_time_zone(full_account, url, dates):
    response = full_account.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert len(TIME.findall(html)) >= dates, html
    assert not OLD_STYLES.search(visible(html)), OLD_STYLES.search(visible(html))


@pytest.mark.parametrize("url", ["/account/security-keys/", "/account/mobile/", "/account/phones/",
                                 "/account/eid/", "/account/activity/"])
def test_one_layout_and_labelled_cells(full_account, url):
    html = full_account.get(url).content.decode()
    main = html.split('<main id="main"', 1)[1]
    assert re.search(r'class="container wide"', html)
    assert main.index('<p class="back"><a href="/account/">') < main.index("<h1>")
    cells = re.findall(r"<td([^>]*)>(.*?)</td>", main, re.S)
    assert cells
    for attributes, content in cells:
        # Every value says what it is on a phone; the actions cell holds self-explanatory controls.
        assert "data-label=" in attributes or 'class="row-actions"' in content, (attributes, content)


def test_dates_in_french(full_account):
    html = full_account.get("/account/phones/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert re.search(r"<time [^>]*>\d{1,2} [a-zéû]+ \d{4} \d{2}:\d{2} UTC</time>", html), html
