"""The sign-in transaction: kept server-side, bound to its browser, single use, expiring; methods in order."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core import clock
from limen.signin import store
from limen.signin.models import SigninTransaction, SsoSession

from ..conftest import DEFAULT_PASSWORD
from .helpers import signed_in, transaction_of

pytestmark = pytest.mark.django_db


def started(client: Client, user) -> str:
    """Through the identifier step: the id of the transaction it started."""
    client.post("/login/", {"email": user.email})
    return client.session[store.CURRENT_KEY]


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_transaction_lives_server_side_not_in_session_keys(client, user):
    started(client, user)
    assert transaction_of(client)["email"] == user.email
    # The session only points at it: no e-mail, no method state in the session itself.
    assert user.email not in str(dict(client.session.items()))


def test_an_expired_transaction_is_refused_and_changes_nothing(client, user):
    started(client, user)
    clock.advance(seconds=store.LIFETIME + 1)
    response = client.post("/login/password/", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "took too long" in " ".join(messages_of(response))
    assert not signed_in(client) and not SsoSession.objects.exists()
    assert not AuditEvent.objects.filter(event=Event.SIGNIN_SUCCEEDED).exists()


def test_a_transaction_of_another_browser_is_refused(client, user):
    tx_id = started(client, user)
    stranger = Client()
    stranger.get("/login/")
    response = stranger.post("/login/password/", {"password": DEFAULT_PASSWORD, "tx": tx_id})
    assert response.status_code == 403
    assert "started in another browser" in response.content.decode()
    assert not signed_in(stranger) and not SsoSession.objects.exists()
    # The owner's sign-in is untouched and still goes through.
    assert client.post("/login/password/", {"password": DEFAULT_PASSWORD, "tx": tx_id}).status_code == 302
    assert signed_in(client)


def test_a_completed_transaction_replayed_is_refused(client, user):
    tx_id = started(client, user)
    assert client.post("/login/password/", {"password": DEFAULT_PASSWORD, "tx": tx_id}).status_code == 302
    sessions_before = list(SsoSession.objects.values_list("session_key", flat=True))
    response = client.post("/login/password/", {"password": DEFAULT_PASSWORD, "tx": tx_id})
    assert response.status_code == 409
    assert "already complete" in response.content.decode()
    assert list(SsoSession.objects.values_list("session_key", flat=True)) == sessions_before
    assert AuditEvent.objects.filter(event=Event.SIGNIN_SUCCEEDED).count() == 1


def test_a_transaction_completes_once(client, user, rf):
    """Two requests completing the same transaction at once: one wins (a conditional UPDATE)."""
    tx_id = started(client, user)
    row = SigninTransaction.objects.get(pk=tx_id)
    tx = store._from_row(row)
    assert store.mark_completed(tx) is True
    assert store.mark_completed(store._from_row(row)) is False


def test_a_method_page_without_its_method_begun_is_refused(client, user, add_phone):
    add_phone(user)
    started(client, user)
    # The password was not checked and no method chosen: the SMS pages refuse to send or check anything.
    for page in ("/login/sms/", "/login/sms/code/"):
        response = client.post(page, {"typed": "+46701234567", "code": "AAA-AAA-AAA"})
        assert response.status_code == 302 and response["Location"] == "/login/"
        assert "not started" in " ".join(messages_of(response))
    assert not signed_in(client)
    assert not AuditEvent.objects.filter(event=Event.SMS_CODE_SENT).exists()


def test_another_methods_page_is_refused(client, user, add_phone, add_recovery_codes):
    add_phone(user)
    codes = add_recovery_codes(user)
    started(client, user)
    client.post("/login/password/", {"password": DEFAULT_PASSWORD, "method": "sms"})
    response = client.post("/login/recovery-code/", {"code": codes[0]})  # begun: sms, not recovery codes
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert not signed_in(client)


def test_a_method_left_waiting_too_long_expires(client, user, add_recovery_codes):
    codes = add_recovery_codes(user)
    started(client, user)
    client.post("/login/password/", {"password": DEFAULT_PASSWORD, "method": "recovery_code"})
    clock.advance(seconds=store.METHOD_IDLE + 1)
    response = client.post("/login/recovery-code/", {"code": codes[0]})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert not signed_in(client)


def test_each_step_of_a_method_restarts_its_wait(client, user, add_recovery_codes):
    codes = add_recovery_codes(user)
    started(client, user)
    client.post("/login/password/", {"password": DEFAULT_PASSWORD, "method": "recovery_code"})
    clock.advance(seconds=store.METHOD_IDLE - 5)
    assert client.get("/login/recovery-code/").status_code == 200
    clock.advance(seconds=store.METHOD_IDLE - 5)
    assert client.post("/login/recovery-code/", {"code": codes[0]}).status_code == 302
    assert signed_in(client)


def test_the_browser_binding_survives_the_session_rotation_of_sign_in(client, user):
    """After signing in (new session key), the browser still owns what it starts: step-up works."""
    started(client, user)
    client.post("/login/password/", {"password": DEFAULT_PASSWORD})
    assert client.get("/login/step-up/?next=/account/").status_code in {200, 403}
    assert transaction_of(client)["step_up"] is True


def test_old_transactions_are_purged(client, user):
    started(client, user)
    clock.advance(seconds=store.LIFETIME + 1)
    assert store.purge() == 1
    assert not SigninTransaction.objects.exists()
