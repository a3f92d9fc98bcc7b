"""Single logout: every application that validated a ticket of the session hears of its end."""

import pytest
from cas import CASClientV3

from limen.cas import maintenance, outbound, registry, slo, tickets
from limen.cas.models import LogoutRequest, ServiceTicket
from limen.core import clock
from limen.notify.models import Status
from limen.signin.models import SsoSession

from .conftest import SERVICE, cas_login_url, sign_in_through, ticket_from

OTHER = "https://rcam.example.org/app/"


class Posts(list):
    """Logout requests posted; each answered with ``status`` (an int or an exception)."""

    status: object = 200

    def __call__(self, url, data, **kwargs):
        self.append((url, data["logoutRequest"]))
        if isinstance(self.status, Exception):
            raise self.status
        return self.status


@pytest.fixture
def posts(monkeypatch):
    recorder = Posts()
    monkeypatch.setattr(outbound, "post_form", recorder)
    return recorder


@pytest.fixture
def two_apps(client, cas_ticket, cas_service):
    registry.register(name="RCAM", url_pattern=OTHER, slo_url="https://rcam.example.org/slo")
    validated = []
    for service in (SERVICE, OTHER):
        ticket = cas_ticket(service)
        response = client.get("/cas/serviceValidate", {"ticket": ticket, "service": service})
        assert b"authenticationSuccess" in response.content
        validated.append(ticket)
    return validated


def test_sign_out_sends_a_saml_logout_request_to_each_application(client, user, two_apps, posts,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/logout/")
    assert response["Location"] == "/logout/done/"
    page = client.get("/logout/done/").content.decode()
    assert "Europass" in page and "RCAM" in page
    assert sorted(url for url, _ in posts) == ["https://europass.example.org/portal/", "https://rcam.example.org/slo"]
    for (_url, body), ticket in zip(sorted(posts), two_apps):
        assert CASClientV3.verify_logout_request(body, ticket)  # python-cas reads it
        assert f"<saml:NameID>{user.uid}</saml:NameID>" in body
    assert set(LogoutRequest.objects.values_list("status", flat=True)) == {Status.SENT}
    assert ServiceTicket.objects.count() == 0


def test_cas_logout_redirects_only_to_a_registered_service(client, two_apps, posts):
    response = client.get("/cas/logout", {"service": SERVICE})
    assert response.status_code == 302 and response["Location"] == SERVICE
    assert LogoutRequest.objects.count() == 2
    response = client.get("/cas/logout", {"service": "https://evil.example.net/"})
    assert response["Location"] == "/logout/done/"
    response = client.get("/cas/logout", {"url": OTHER})  # the CAS 2 parameter name
    assert response["Location"] == OTHER


def test_cas_logout_lists_the_applications(client, two_apps, posts):
    assert client.get("/cas/logout")["Location"] == "/logout/done/"
    page = client.get("/logout/done/").content.decode()
    assert "You have also been signed out of" in page and "RCAM" in page


def test_a_ticket_never_validated_gets_no_logout_request(client, cas_ticket, posts):
    cas_ticket()
    client.post("/logout/")
    assert LogoutRequest.objects.count() == 0


def test_an_application_that_is_down_is_retried_with_back_off(client, two_apps, posts,
                                                              django_capture_on_commit_callbacks):
    posts.status = outbound.CallError("ConnectionRefusedError")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/logout/")
    pending = LogoutRequest.objects.filter(status=Status.PENDING)
    assert pending.count() == 2 and all(r.attempts == 1 and r.next_attempt > clock.now() for r in pending)
    assert slo.deliver_due() == 0  # not due yet
    posts.status = 200
    clock.advance(minutes=5)
    assert slo.deliver_due() == 2
    assert set(LogoutRequest.objects.values_list("status", flat=True)) == {Status.SENT}


def test_an_application_that_refuses_is_not_retried(client, two_apps, posts, django_capture_on_commit_callbacks):
    posts.status = 405
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/logout/")
    assert set(LogoutRequest.objects.values_list("status", flat=True)) == {Status.FAILED}


def test_retries_give_up_after_the_outbox_limit(client, two_apps, posts):
    posts.status = outbound.CallError("timeout")
    client.post("/logout/")
    for _ in range(20):
        clock.advance(hours=7)
        slo.deliver_due()
    assert set(LogoutRequest.objects.values_list("status", flat=True)) == {Status.FAILED}


def test_a_session_that_expired_unattended_is_ended_by_the_worker(client, two_apps, posts, settings):
    clock.advance(seconds=settings.SESSION_IDLE_SECONDS + 1)
    counts = maintenance.cleanup()
    assert counts["sessions_ended"] == 1
    assert LogoutRequest.objects.count() == 2 and SsoSession.objects.count() == 0


def test_step_up_and_renew_keep_the_session_so_earlier_applications_are_signed_out_too(
        client, user, two_apps, posts, cas_second_factor):
    response = client.get(cas_login_url(SERVICE + "again/", renew="true"))
    back = sign_in_through(client, response, user)
    ticket_from(client.get(back["Location"]))
    assert SsoSession.objects.count() == 1
    client.post("/login/step-up/?next=/account/", {"method": "stand_in"})
    client.post("/test/factor/")
    client.post("/logout/")
    assert LogoutRequest.objects.count() == 2


def test_another_person_signing_in_on_the_same_browser_signs_the_first_out(client, make_user, two_apps, posts):
    other = make_user()
    client.post("/login/?switch=1", {"email": other.email})
    client.post("/login/password/", {"password": "Correct-Horse-42"})
    assert LogoutRequest.objects.count() == 2
    assert list(SsoSession.objects.values_list("user", flat=True)) == [other.pk]


def test_expired_tickets_are_removed(client, cas_ticket, settings):
    cas_ticket()
    cas_ticket(SERVICE + "2/")
    clock.advance(seconds=settings.CAS_TICKET_SECONDS + 1)
    assert tickets.remove_expired()["service_tickets"] == 2


def test_signing_out_other_sessions_from_my_account_signs_them_out_of_their_applications(
        client, user, two_apps, posts, django_capture_on_commit_callbacks):
    from django.test import Client

    from tests.support.pages import sign_in

    elsewhere = Client()
    sign_in(elsewhere, user, expect=302)
    with django_capture_on_commit_callbacks(execute=True):
        elsewhere.post("/account/activity/sign-out-others/")
    assert sorted(url for url, _ in posts) == ["https://europass.example.org/portal/", "https://rcam.example.org/slo"]
    assert client.get("/account/").status_code == 302  # the browser that used the applications
    session = SsoSession.objects.get(user=user)
    assert session.session_key == elsewhere.session.session_key
    # One session signed out by itself tells its applications the same way.
    sign_in(client, user, expect=302)
    ticket = ticket_from(client.get(cas_login_url()))
    assert b"authenticationSuccess" in client.get("/cas/serviceValidate",
                                                  {"ticket": ticket, "service": SERVICE}).content
    other = SsoSession.objects.get(session_key=client.session.session_key)
    posts.clear()
    with django_capture_on_commit_callbacks(execute=True):
        elsewhere.post(f"/account/activity/sessions/{other.pk}/sign-out/")
    assert [url for url, _ in posts] == ["https://europass.example.org/portal/"]


def test_deleting_the_account_signs_it_out_of_its_applications(client, user, two_apps, posts,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/delete/", {"confirm": "on", "password": "Correct-Horse-42"})
    assert response["Location"] == "/account/deleted/"
    assert sorted(url for url, _ in posts) == ["https://europass.example.org/portal/", "https://rcam.example.org/slo"]
    page = client.get("/account/deleted/").content.decode()
    assert "Europass" in page and "RCAM" in page
    assert ServiceTicket.objects.count() == 0 and SsoSession.objects.count() == 0
