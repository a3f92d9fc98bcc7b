"""My recent activity: where the account is signed in, and signing out the other sessions."""

from __future__ import annotations

import pytest
from django.test import Client

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.signin.models import SsoSession
from limen.signin.signals import sso_session_ending
from tests.support.pages import sign_in

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"


def browser(user, user_agent: str = FIREFOX, ip: str = "192.0.2.10") -> Client:
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    sign_in(client, user, expect=302)
    return client


def signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


@pytest.fixture
def ended_sessions():
    """The session keys whose end was announced to the areas that tell applications (single logout)."""
    keys = []

    def receiver(sender, session_key, user=None, **kwargs):
        keys.append(session_key)
        return []

    sso_session_ending.connect(receiver, dispatch_uid="test-ended-sessions")
    yield keys
    sso_session_ending.disconnect(dispatch_uid="test-ended-sessions")


def test_activity_lists_the_sessions_with_this_browser_marked(user):
    here, laptop = browser(user, FIREFOX), browser(user, CHROME, "198.51.100.7")
    html = here.get("/account/activity/").content.decode()
    assert "Firefox on Windows" in html and "Chrome on Linux" in html and "198.51.100.7" in html
    assert html.count("this browser") == 1
    # The other session can be signed out by itself; this one has the usual sign-out.
    assert html.count("/sign-out/") == 1
    assert "Sign out my other sessions" in html
    assert laptop.session.session_key not in html  # the key is the cookie's secret


def test_sign_out_my_other_sessions(user, ended_sessions):
    here = browser(user)
    laptop, phone = browser(user, CHROME), browser(user, CHROME, "203.0.113.5")
    others = {laptop.session.session_key, phone.session.session_key}
    response = here.post("/account/activity/sign-out-others/", follow=True)
    assert response.redirect_chain == [("/account/activity/", 302)]
    assert "You are signed out of 2 other sessions." in response.content.decode()
    assert not signed_in(laptop) and not signed_in(phone)
    assert signed_in(here)
    assert set(ended_sessions) == others  # each told to the applications, this one not
    assert list(SsoSession.objects.filter(user=user).values_list("session_key", flat=True)) == \
        [here.session.session_key]
    event = AuditEvent.objects.get(event=Event.OTHER_SESSIONS_ENDED)
    assert event.user_id == user.pk and event.data == {"sessions": 2, "request_id": event.data["request_id"]}


def test_nothing_else_to_sign_out(user):
    here = browser(user)
    response = here.post("/account/activity/sign-out-others/", follow=True)
    assert "You were not signed in anywhere else." in response.content.decode()
    assert signed_in(here)


def test_sign_out_one_session(user, ended_sessions):
    here, laptop, phone = browser(user), browser(user, CHROME), browser(user, CHROME, "203.0.113.5")
    target = SsoSession.objects.get(session_key=laptop.session.session_key)
    response = here.post(f"/account/activity/sessions/{target.pk}/sign-out/", follow=True)
    assert "That session is signed out." in response.content.decode()
    assert not signed_in(laptop)
    assert signed_in(phone) and signed_in(here)
    assert ended_sessions == [target.session_key]
    event = AuditEvent.objects.get(event=Event.SESSION_ENDED)
    assert event.data == {"session_ip": "192.0.2.10", "session_browser": "Chrome · Linux",
                          "request_id": event.data["request_id"]}


def test_another_accounts_session_or_my_own_is_not_signed_out_from_here(user, make_user, ended_sessions):
    here = browser(user)
    stranger = browser(make_user())
    for other in (stranger, here):
        target = SsoSession.objects.get(session_key=other.session.session_key)
        response = here.post(f"/account/activity/sessions/{target.pk}/sign-out/", follow=True)
        assert "That session has already ended." in response.content.decode()
    assert signed_in(stranger) and signed_in(here)
    assert ended_sessions == []
    assert not AuditEvent.objects.filter(event=Event.SESSION_ENDED).exists()


def test_only_a_post_with_its_csrf_token_signs_out(user):
    here, laptop = browser(user), browser(user, CHROME)
    assert here.get("/account/activity/sign-out-others/").status_code == 405
    enforcing = Client(enforce_csrf_checks=True)
    enforcing.cookies = here.cookies
    assert enforcing.post("/account/activity/sign-out-others/").status_code == 403
    assert signed_in(laptop)
    assert Client().post("/account/activity/sign-out-others/")["Location"].startswith("/login/")
