"""Change of e-mail address, confirmed by a link sent to the new address."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from limen.accounts.models import AccountToken, TokenPurpose, User
from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core import clock
from tests.support.pow import fresh

from .helpers import path_of, templates
from ..conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

NEW = "ada.new@example.net"


def ask(client, new=NEW, confirm=None, password=DEFAULT_PASSWORD):
    return client.post("/account/email/", {"new_email": new, "new_email_confirm": confirm or new,
                                           "password": password})


def test_change_email_needs_sign_in(client):
    for url in ("/account/email/",):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"


def test_full_change(signed_in_client, outbox):
    user = signed_in_client.user
    old = user.email
    response = ask(signed_in_client)
    assert response.status_code == 200
    assert "accounts/link_sent.html" in templates(response)
    assert NEW in response.content.decode()
    message = outbox.last(NEW)
    assert message.kind == "email_change_confirm"
    link = path_of(outbox.link(NEW))
    assert "/account/email/confirm/" in link
    # Nothing changes until the link is used; opening it (GET) does not use it.
    assert User.objects.get(pk=user.pk).email == old
    page = signed_in_client.get(link)
    assert page.status_code == 200
    assert NEW in page.content.decode()
    assert AccountToken.objects.get(purpose=TokenPurpose.CHANGE_EMAIL).used is None
    response = signed_in_client.post(link)
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    user.refresh_from_db()
    assert user.email == NEW
    assert user.email_verified
    # The old address is told.
    notice = outbox.last(old)
    assert notice.kind == "email_changed"
    assert old in notice.body and NEW in notice.body
    events = list(AuditEvent.objects.filter(user=user).values_list("event", flat=True))
    assert Event.EMAIL_CHANGE_REQUESTED in events and Event.EMAIL_CHANGED in events
    # Sign in with the new address; the old one is unknown now.
    fresh = Client()
    fresh.post("/login/", {"email": NEW.upper()})
    assert fresh.post("/login/password/", {"password": DEFAULT_PASSWORD}).status_code == 302
    fresh = Client()
    fresh.post("/login/", {"email": old})
    assert fresh.post("/login/password/", {"password": DEFAULT_PASSWORD}).status_code == 400


def test_link_is_single_use(signed_in_client, outbox):
    ask(signed_in_client)
    link = path_of(outbox.link(NEW))
    assert signed_in_client.post(link).status_code == 302
    response = signed_in_client.post(link)
    assert response.status_code == 400
    assert response.context["error"].code == "token_used"
    assert b'href="/account/email/"' in response.content


def test_link_works_without_being_signed_in(signed_in_client, outbox):
    ask(signed_in_client)
    link = path_of(outbox.link(NEW))
    other = Client()
    response = other.post(link)
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert User.objects.get(pk=signed_in_client.user.pk).email == NEW


def test_link_expires_after_a_day(signed_in_client, outbox):
    ask(signed_in_client)
    link = path_of(outbox.link(NEW))
    clock.advance(hours=24, seconds=1)
    response = signed_in_client.post(link)
    assert response.status_code == 400
    assert response.context["error"].code == "token_expired"
    assert User.objects.get(pk=signed_in_client.user.pk).email != NEW


def test_wrong_password_changes_nothing(signed_in_client, outbox):
    response = ask(signed_in_client, password="Not-the-password-1")
    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["The current password is not correct."]
    assert outbox.all() == []
    assert not AccountToken.objects.exists()


@pytest.mark.parametrize("spelling", ["same", "upper", "domain"])
def test_same_address_refused(signed_in_client, outbox, spelling):
    email = signed_in_client.user.email
    local, domain = email.split("@")
    typed = {"same": email, "upper": email.upper(), "domain": f"{local}@{domain.upper()}"}[spelling]
    response = ask(signed_in_client, typed)
    assert response.status_code == 200
    assert response.context["form"].errors["new_email"] == ["This is already the e-mail address of your account."]
    assert outbox.all() == []


@pytest.mark.parametrize("data,field", [
    ({"new_email": NEW, "new_email_confirm": "other@example.net"}, "new_email_confirm"),
    ({"new_email": "not-an-address", "new_email_confirm": "not-an-address"}, "new_email"),
    ({"new_email": "", "new_email_confirm": ""}, "new_email"),
    ({"new_email": NEW, "new_email_confirm": NEW, "password": ""}, "password"),
    ({"new_email": "a\u202e@example.net", "new_email_confirm": "a\u202e@example.net"}, "new_email"),
])
def test_bad_input(signed_in_client, outbox, data, field):
    data = {"password": DEFAULT_PASSWORD, **data}
    response = signed_in_client.post("/account/email/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert outbox.all() == []


def test_taken_address_changes_nothing_and_its_owner_is_told(signed_in_client, make_user, outbox):
    owner = make_user(email="taken@example.net")
    user = signed_in_client.user
    response_taken = ask(signed_in_client, "TAKEN@example.net")
    # The same page as for a free address: the requester learns nothing.
    assert response_taken.status_code == 200
    assert "accounts/link_sent.html" in templates(response_taken)
    message = outbox.last()
    assert message.recipient.lower() == owner.email
    assert message.kind == "email_change_taken"
    assert "nothing was changed" in message.body
    assert not re.search(r"/account/email/confirm/", message.body)
    assert not AccountToken.objects.filter(purpose=TokenPurpose.CHANGE_EMAIL).exists()
    user.refresh_from_db()
    assert user.email != owner.email
    assert User.objects.get(pk=owner.pk).email == "taken@example.net"


def test_address_taken_between_request_and_confirmation(signed_in_client, make_user, outbox):
    ask(signed_in_client)
    link = path_of(outbox.link(NEW))
    make_user(email=NEW.upper())
    response = signed_in_client.post(link)
    assert response.status_code == 400
    assert response.context["error"].code == "token_invalid"
    assert User.objects.get(pk=signed_in_client.user.pk).email != NEW
    assert User.objects.filter(email__iexact=NEW).count() == 1


def test_new_request_cancels_the_older_link(signed_in_client, outbox):
    ask(signed_in_client)
    first = path_of(outbox.link(NEW))
    ask(signed_in_client, "ada.other@example.net")
    second = path_of(outbox.link("ada.other@example.net"))
    assert signed_in_client.post(first).status_code == 400
    assert signed_in_client.post(second).status_code == 302
    assert User.objects.get(pk=signed_in_client.user.pk).email == "ada.other@example.net"


def test_taken_notice_is_in_the_language_of_the_address_owner(signed_in_client, make_user, outbox):
    # The notice goes to another person: their language, not the requester's.
    User.objects.filter(pk=signed_in_client.user.pk).update(email_language="fr")
    make_user(email="taken@example.net", email_language="en")
    ask(signed_in_client, "taken@example.net")
    assert outbox.last("taken@example.net").subject == "A request about your Limen address"


def test_confirmation_is_in_the_language_of_the_account(signed_in_client, outbox):
    User.objects.filter(pk=signed_in_client.user.pk).update(email_language="fr")
    ask(signed_in_client)
    assert outbox.last(NEW).subject.startswith("Confirmez")


def test_links_sent_to_the_old_address_stop_working(signed_in_client, outbox):
    # A reset link in the old mailbox must not outlive the move to a new address.
    user = signed_in_client.user
    old = user.email
    Client().post("/password/lost/", {**fresh(), "email": old})
    reset_link = path_of(outbox.link(old))
    ask(signed_in_client)
    signed_in_client.post(path_of(outbox.link(NEW)))
    assert User.objects.get(pk=user.pk).email == NEW
    response = Client().post(reset_link, {"new_password": "Harbour-Kite-88", "confirm_password": "Harbour-Kite-88"})
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).check_password(DEFAULT_PASSWORD)


def test_link_of_an_account_disabled_since_changes_nothing(signed_in_client, outbox):
    """An operator froze the account (e.g. taken over): a pending change must not go through."""
    ask(signed_in_client)
    link = path_of(outbox.link(NEW))
    user = signed_in_client.user
    User.objects.filter(pk=user.pk).update(is_active=False)
    for response in (Client().get(link), Client().post(link)):
        assert response.status_code == 400 and response.context["error"].code == "token_invalid"
    assert User.objects.get(pk=user.pk).email == user.email
    assert not AuditEvent.objects.filter(event=Event.EMAIL_CHANGED).exists()
