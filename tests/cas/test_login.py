"""/cas/login: who gets a ticket, when they must sign in, step up or confirm, and bad input."""

from urllib.parse import parse_qs, urlsplit

import pytest

from limen.audit.models import AuditEvent
from limen.cas.models import ServiceTicket
from limen.signin.models import Level

from .conftest import SERVICE, cas_login_url, sign_in_through, ticket_from


def _st(ticket):
    return ServiceTicket.objects.get(ticket=ticket)


def test_a_stranger_is_sent_to_sign_in_and_comes_back_with_a_ticket(client, user, cas_service):
    response = client.get(cas_login_url())
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/login/"
    assert parse_qs(location.query)["next"] == [cas_login_url()]
    back = sign_in_through(client, response, user)
    assert back["Location"] == cas_login_url()
    ticket = ticket_from(client.get(back["Location"]))
    assert ticket.startswith("ST-") and len(ticket) == 32
    st = _st(ticket)
    assert (st.user, st.service, st.service_url, st.from_sso) == (user, cas_service, SERVICE, False)
    assert AuditEvent.objects.filter(user=user, event="cas.signed_in", data__service="Europass").exists()


def test_the_sso_session_gives_the_next_application_a_ticket_without_asking(client, cas_ticket):
    cas_ticket()
    response = client.get(cas_login_url(SERVICE + "cv/"))
    st = _st(ticket_from(response))
    assert st.from_sso is True
    assert response["Location"].startswith(SERVICE + "cv/?ticket=ST-")


def test_the_ticket_is_added_to_an_existing_query_and_before_a_fragment(client, cas_ticket):
    cas_ticket()
    response = client.get(cas_login_url(SERVICE + "login?next=%2Fhome#top"))
    assert response["Location"].startswith(SERVICE + "login?next=%2Fhome&ticket=ST-")
    assert response["Location"].endswith("#top")


def test_unknown_service_gets_a_clear_page_and_never_a_redirect(client, cas_ticket):
    cas_ticket()  # even when signed in
    response = client.get(cas_login_url("https://evil.example.net/steal"))
    assert response.status_code == 400
    assert not response.has_header("Location")
    assert b"INVALID_SERVICE" in response.content
    assert b"not registered" in response.content
    assert b'href="https://evil' not in response.content and b'action="https://evil' not in response.content


def test_renew_asks_for_the_password_again_even_with_an_sso_session(client, user, cas_ticket):
    cas_ticket()
    response = client.get(cas_login_url(renew="true"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?")
    assert parse_qs(urlsplit(response["Location"]).query)["switch"] == ["1"]
    # The identifier page is shown (not skipped) although the person is signed in.
    assert client.get(response["Location"]).status_code == 200
    back = sign_in_through(client, response, user)
    st = _st(ticket_from(client.get(back["Location"])))
    assert st.from_sso is False
    # The same request again, without signing in: asked again.
    assert client.get(cas_login_url(renew="true"))["Location"].startswith("/login/?")


def test_gateway_without_a_session_goes_back_without_a_ticket(client, cas_service):
    response = client.get(cas_login_url(gateway="true"))
    assert response.status_code == 302 and response["Location"] == SERVICE


def test_gateway_with_a_session_gives_a_ticket(client, cas_ticket):
    cas_ticket()
    assert ticket_from(client.get(cas_login_url(gateway="true"))).startswith("ST-")


def test_gateway_for_an_unknown_service_still_gets_the_error_page(client, db):
    response = client.get(cas_login_url("https://evil.example.net/", gateway="true"))
    assert response.status_code == 400 and not response.has_header("Location")


def test_without_a_service_a_signed_in_person_sees_my_account(client, cas_ticket):
    cas_ticket()
    assert client.get("/cas/login")["Location"] == "/account/"


def test_without_a_service_a_stranger_is_asked_to_sign_in(client, db):
    assert client.get("/cas/login")["Location"].startswith("/login/")


def test_method_post_hands_the_ticket_over_in_a_form(client, cas_ticket):
    cas_ticket()
    response = client.get(cas_login_url(method="POST"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{SERVICE}"' in html and 'name="ticket" value="ST-' in html and "data-autosubmit" in html
    assert "form-action 'self' https://europass.example.org" in response["Content-Security-Policy"]


@pytest.mark.parametrize("query, code", [
    ("service=https%3A%2F%2Feuropass.example.org%2F&service=https%3A%2F%2Feuropass.example.org%2F",
     "INVALID_REQUEST"),
    ("service=https%3A%2F%2Feuropass.example.org%2F" + "a" * 2100, "INVALID_REQUEST"),
    ("service=https%3A%2F%2Feuropass.example.org%2F&renew=true&renew=true", "INVALID_REQUEST"),
    ("service=https%3A%2F%2Feuropass.example.org%2F&method=HEADER", "INVALID_REQUEST"),
    ("service=https%3A%2F%2Feuropass.example.org%2F&authenticationLevel=ULTRA", "INVALID_REQUEST"),
    ("service=https%3A%2F%2Feuropass.example.org%2F&authenticationLevel=HIGH", "INVALID_REQUEST"),
    ("service=https%3A%2F%2Feuropass.example.org%2F&acceptStrengths=PASSWORD,CARRIER_PIGEON", "INVALID_STRENGTH"),
    ("service=https%3A%2F%2Feuropass.example.org%2F%0d%0aSet-Cookie:x", "INVALID_REQUEST"),
    ("service=javascript:alert(1)", "INVALID_SERVICE"),
])
def test_bad_login_requests_get_a_clear_page(client, cas_service, query, code):
    response = client.get("/cas/login?" + query)
    assert response.status_code == 400
    assert not response.has_header("Location")
    assert code.encode() in response.content


def test_a_service_requiring_medium_sends_a_password_session_to_step_up(client, cas_ticket, cas_service,
                                                                        cas_second_factor):
    cas_ticket()
    cas_service.level = Level.MEDIUM
    cas_service.save()
    response = client.get(cas_login_url())
    location = urlsplit(response["Location"])
    assert location.path == "/login/step-up/"
    assert parse_qs(location.query)["level"] == ["MEDIUM"]
    page = client.get(response["Location"]).content.decode()
    assert "Europass needs stronger proof that it is you" in page  # the application, by its name
    # Step up with the stand-in factor: no password typed.
    response = client.post(response["Location"], {"method": "stand_in"})
    assert response["Location"] == "/test/factor/"
    back = client.post("/test/factor/")
    assert back["Location"] == cas_login_url()
    st = _st(ticket_from(client.get(back["Location"])))
    assert st.level == Level.MEDIUM
    assert set(st.strengths) == {"PASSWORD", "PASSWORD_SOFTWARE_TOKEN"}


def test_accept_strengths_on_login_steps_up_too(client, cas_ticket, cas_second_factor):
    cas_ticket()
    response = client.get(cas_login_url(acceptStrengths="PASSWORD_SOFTWARE_TOKEN,PASSWORD_MOBILE_APP"))
    assert urlsplit(response["Location"]).path == "/login/step-up/"
    assert "PASSWORD_SOFTWARE_TOKEN" in parse_qs(urlsplit(response["Location"]).query)["strengths"][0]


def test_authentication_level_medium_without_any_second_factor_explains_what_to_do(client, cas_ticket):
    cas_ticket()
    response = client.get(cas_login_url(authenticationLevel="MEDIUM"), follow=True)
    assert response.status_code == 403
    assert b"Europass needs a second verification method" in response.content


def test_warn_before_sso_asks_before_the_application_learns_who_you_are(client, user, cas_ticket):
    cas_ticket()
    user.warn_before_sso = True
    user.save()
    before = ServiceTicket.objects.count()
    response = client.get(cas_login_url(SERVICE + "cv/"))
    assert response.status_code == 200
    assert b"Europass" in response.content and b'name="confirm"' in response.content
    assert ServiceTicket.objects.count() == before
    response = client.post(cas_login_url(SERVICE + "cv/"), {"confirm": "yes"})
    assert _st(ticket_from(response)).from_sso is True


def test_warn_before_sso_does_not_ask_right_after_signing_in(client, make_user, cas_service):
    person = make_user(warn_before_sso=True)
    response = client.get(cas_login_url())
    back = sign_in_through(client, response, person)
    assert ticket_from(client.get(back["Location"])).startswith("ST-")


def test_the_preference_is_in_my_personal_details(signed_in_client):
    user = signed_in_client.user
    response = signed_in_client.get("/account/details/")
    assert b'name="warn_before_sso"' in response.content
    signed_in_client.post("/account/details/", {"first_name": "Ada", "last_name": "Lovelace",
                                                "email_language": "en", "warn_before_sso": "on"})
    user.refresh_from_db()
    assert user.warn_before_sso is True


def test_after_a_form_on_limen_the_ticket_is_handed_over_by_a_page(client, cas_ticket, settings):
    """A redirect to the application at the end of a form's redirect chain would be blocked by the
    form page's CSP (form-action 'self'); a page that navigates by itself is not."""
    cas_ticket()
    for headers in ({"HTTP_SEC_FETCH_SITE": "same-origin"}, {"HTTP_REFERER": settings.BASE_URL + "/login/password/"}):
        response = client.get(cas_login_url(), **headers)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'<meta http-equiv="refresh" content="0;url={SERVICE}?ticket=ST-' in html
        assert f'href="{SERVICE}?ticket=ST-' in html
    response = client.get(cas_login_url(), HTTP_SEC_FETCH_SITE="cross-site", HTTP_REFERER=SERVICE)
    assert ticket_from(response).startswith("ST-")


def test_my_activity_names_the_application(client, user, cas_ticket):
    cas_ticket()
    page = client.get("/account/activity/").content.decode()
    assert "Signed in to an application: Europass" in page
