"""Delete my account: explained, confirmed with the password and (when the account has one) a second
factor; then every session ends with its applications told, every method goes, the account goes, the
audit trail stays, the owner is e-mailed."""

from __future__ import annotations

import pytest
from django.test import Client

from limen.accounts.models import AccountToken, User
from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.factors.sms.models import PhoneNumber
from limen.signin.models import SsoSession
from limen.signin.signals import sso_session_ending
from tests.conftest import DEFAULT_PASSWORD
from tests.support.pages import sign_in

pytestmark = pytest.mark.django_db

URL = "/account/delete/"


def confirmed(password: str = DEFAULT_PASSWORD) -> dict:
    return {"confirm": "on", "password": password}


@pytest.fixture
def told():
    """Session keys announced as ending (what CAS single logout and OIDC back-channel logout hear)."""
    keys = []

    def receiver(sender, session_key, user=None, **kwargs):
        keys.append(session_key)
        return ["Europass"]

    sso_session_ending.connect(receiver, dispatch_uid="test-delete-told")
    yield keys
    sso_session_ending.disconnect(dispatch_uid="test-delete-told")


def test_the_page_explains_and_asks(signed_in_client):
    response = signed_in_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "for good" in html and "cannot be undone" in html and "privacy statement" in html
    assert 'name="password"' in html and 'name="confirm"' in html
    assert User.objects.filter(pk=signed_in_client.user.pk).exists()  # a GET deletes nothing
    assert "/account/delete/" in signed_in_client.get("/account/").content.decode()


def test_delete_my_account(user, told, outbox, add_recovery_codes, sign_in_with_sms):
    signed_in_client = sign_in_with_sms(Client(), user)  # the account has a second factor: proved here
    email, user_id = user.email, user.pk
    add_recovery_codes(user)
    laptop = Client()
    sign_in(laptop, user, method="password", expect=302)
    mine, theirs = signed_in_client.session.session_key, laptop.session.session_key
    response = signed_in_client.post(URL, confirmed())
    assert response.status_code == 302 and response["Location"] == "/account/deleted/"
    page = signed_in_client.get("/account/deleted/").content.decode()
    assert email in page and "Europass" in page

    assert not User.objects.filter(pk=user_id).exists()
    assert set(told) == {mine, theirs}  # every session, this one too, told to the applications
    assert not SsoSession.objects.filter(user_id=user_id).exists()
    assert signed_in_client.get("/account/").status_code == 302
    assert laptop.get("/account/").status_code == 302
    assert not AccountToken.objects.filter(user_id=user_id).exists()
    # The audit trail stays, with the account's old number and its address.
    event = AuditEvent.objects.get(event=Event.ACCOUNT_DELETED)
    assert event.user_id == user_id and event.email == email
    assert event.data["removed"] == {"sms": 1, "recovery_code": 10} and event.data["applications"] == ["Europass"]
    assert AuditEvent.objects.filter(user_id=user_id, event=Event.SIGNIN_SUCCEEDED).count() == 2
    mail = outbox.last(email)
    assert mail.kind == "account_deleted" and "was deleted" in mail.subject
    assert "  - Mobile Phone + SMS\n  - Recovery code\n\nYour details are gone." in mail.body
    assert signed_in_client.get("/account/deleted/").status_code == 302  # shown once
    # The address is free again.
    assert Client().post("/login/", {"email": email}).status_code == 302
    assert User.objects.create_user(email, DEFAULT_PASSWORD).pk != user_id


def test_a_wrong_password_deletes_nothing_and_counts_towards_the_lockout(signed_in_client, settings, outbox):
    user = signed_in_client.user
    response = signed_in_client.post(URL, confirmed("Not-My-Password-1"))
    assert response.status_code == 400
    assert "The current password is not correct." in response.content.decode()
    user.refresh_from_db()
    assert user.failed_signins == 1
    for attempt in range(settings.LOCKOUT_THRESHOLD - 1):
        response = signed_in_client.post(URL, confirmed(f"Guess-{attempt}-xyz!"))
    user.refresh_from_db()
    assert user.is_locked and response.status_code == 302 and response["Location"].startswith("/login/")
    assert signed_in_client.get("/account/").status_code == 302  # the session ended with the lock
    assert not AuditEvent.objects.filter(event=Event.ACCOUNT_DELETED).exists()


def test_the_confirmation_and_the_password_are_needed(signed_in_client):
    for data in ({}, {"password": DEFAULT_PASSWORD}, {"confirm": "on"}):
        response = signed_in_client.post(URL, data)
        assert response.status_code == 400
    assert "Tick the box to confirm" in signed_in_client.post(URL, {"password": DEFAULT_PASSWORD}).content.decode()
    assert User.objects.filter(pk=signed_in_client.user.pk).exists()


def test_a_password_alone_does_not_delete_an_account_with_a_second_factor(client, user, add_phone,
                                                                       sign_in_with_sms):
    add_phone(user)
    sign_in(client, user, method="password", expect=302)  # a stolen password: no second factor
    for response in (client.get(URL), client.post(URL, confirmed())):
        assert response.status_code == 302 and response["Location"].startswith("/login/step-up/")
    assert User.objects.filter(pk=user.pk).exists() and PhoneNumber.objects.filter(user=user).exists()
    # With the second factor proved in the session, the owner can.
    owner = sign_in_with_sms(Client(), user)
    assert owner.get(URL).status_code == 200
    assert owner.post(URL, confirmed())["Location"] == "/account/deleted/"
    assert not User.objects.filter(pk=user.pk).exists()
    assert not PhoneNumber.objects.filter(user_id=user.pk).exists()
    assert AuditEvent.objects.get(event=Event.ACCOUNT_DELETED).data["removed"] == {"sms": 1}


def test_without_csrf_token_nothing_is_deleted(signed_in_client):
    enforcing = Client(enforce_csrf_checks=True)
    enforcing.cookies = signed_in_client.cookies
    assert enforcing.post(URL, confirmed()).status_code == 403
    assert User.objects.filter(pk=signed_in_client.user.pk).exists()


def test_strangers_are_sent_to_sign_in(client):
    assert client.get(URL)["Location"] == f"/login/?next={URL}"
    assert client.post(URL, confirmed())["Location"].startswith("/login/")
    assert client.get("/account/deleted/")["Location"] == "/"


def test_an_operators_account_is_removed_by_another_operator(client, make_user):
    operator = make_user(is_staff=True)
    sign_in(client, operator, expect=302)
    assert "ask another operator" in client.get(URL).content.decode()
    response = client.post(URL, confirmed())
    assert response.status_code == 403
    assert User.objects.filter(pk=operator.pk).exists()


def test_an_eid_only_account_confirms_with_its_eid(client, make_user, add_eid_link, settings):
    """No password to type: the eID sign-in (two factors) is the proof."""
    from limen.signin.sessions import SESSION_KEY

    person = make_user(password=None)
    add_eid_link(person)
    client.force_login(person)
    session = client.session
    session[SESSION_KEY] = {"strengths": ["EIDAS"], "auth_time": 0, "started": 9e12, "seen": 9e12}
    session.save()
    html = client.get(URL).content.decode()
    assert 'name="password"' not in html
    assert client.post(URL, {"confirm": "on"})["Location"] == "/account/deleted/"
    assert not User.objects.filter(pk=person.pk).exists()


def test_operators_still_read_the_events_of_a_deleted_account(signed_in_client, admin_client):
    email = signed_in_client.user.email
    signed_in_client.post(URL, confirmed())
    event = AuditEvent.objects.get(event=Event.ACCOUNT_DELETED)
    listing = admin_client.get("/admin/audit/auditevent/", {"q": email})
    assert listing.status_code == 200 and "Account deleted by its owner" in listing.content.decode()
    assert admin_client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
