"""Manage my security keys and trusted platforms; second factor; passkey sign-in without a password."""

import json
import re

import pytest
from django.test import Client

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.factors.webauthn.models import Kind, WebAuthnCredential
from tests.factors.conftest import session_strengths, start_signin
from tests.factors.webauthn.authenticator import b64url

pytestmark = pytest.mark.django_db


def page_options(response) -> dict:
    match = re.search(r'<script id="webauthn-options" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    assert match, response.content.decode()[:3000]
    return json.loads(match.group(1))


def register_through_pages(client, key, *, name="Blue key", kind="security_key"):
    response = client.post("/account/security-keys/add/", {"name": name, "kind": kind})
    assert response.status_code == 302 and response.url == "/account/security-keys/add/register/", response
    page = client.get(response.url)
    options = page_options(page)
    return client.post("/account/security-keys/add/register/", {"response": json.dumps(key.create(options))})


def test_register_a_security_key(signed_in_client, softkey, outbox):
    client, user = signed_in_client, signed_in_client.user
    assert "Manage my security keys and trusted platforms" in client.get("/account/").content.decode()
    key = softkey()
    response = register_through_pages(client, key, name="My YubiKey")
    assert response.status_code == 302 and response.url == "/account/security-keys/"
    credential = WebAuthnCredential.objects.get(user=user)
    assert credential.name == "My YubiKey" and credential.kind == Kind.SECURITY_KEY
    assert credential.transports == ["usb", "nfc"] and credential.discoverable is True
    page = client.get("/account/security-keys/").content.decode()
    assert "My YubiKey" in page and "YubiKey 5 Series with NFC" in page and "Passkey" in page
    mail = outbox.last(user.email)
    assert mail.kind == "factor_added" and "My YubiKey" in mail.body and "Security key" in mail.body
    event = AuditEvent.objects.get(user=user, event=Event.FACTOR_ADDED)
    assert event.data["aaguid"] == credential.aaguid and event.data["method"] == "webauthn"


def test_register_a_trusted_platform(signed_in_client, softkey):
    key = softkey(attachment="platform", transports=["internal"], aaguid="08987058-cadc-4b81-b6e1-30de50dcbe96")
    page = signed_in_client.post("/account/security-keys/add/", {"name": "Laptop", "kind": "platform"})
    options = page_options(signed_in_client.get(page.url))
    assert options["authenticatorSelection"]["authenticatorAttachment"] == "platform"
    assert options["hints"] == ["client-device"]
    signed_in_client.post("/account/security-keys/add/register/", {"response": json.dumps(key.create(options))})
    credential = WebAuthnCredential.objects.get()
    assert credential.kind == Kind.PLATFORM and credential.model_name == "Windows Hello"


def test_the_same_key_registered_twice(client, user, softkey, add_key, sign_in_with_sms):
    sign_in_with_sms(client, user)
    key = softkey()
    first = add_key(user, key)
    client.post("/account/security-keys/add/", {"name": "Again", "kind": "security_key"})
    options = page_options(client.get("/account/security-keys/add/register/"))
    assert len(options["excludeCredentials"]) == 1  # the browser refuses it first...
    with pytest.raises(ValueError, match="InvalidStateError"):
        key.create(options)
    # ...and if a browser ignores the list, the server refuses
    again = key.create(options, again=next(iter(key.credentials)))
    response = client.post("/account/security-keys/add/register/", {"response": json.dumps(again)})
    assert response.status_code == 400
    assert "already registered to your account" in response.content.decode()
    assert list(WebAuthnCredential.objects.values_list("pk", "name")) == [(first.pk, "Blue key")]


def test_a_key_of_another_account_cannot_be_registered(user, make_user, softkey, add_key):
    from limen.factors.webauthn import services
    from limen.factors.webauthn.errors import RegisteredElsewhere

    key = softkey()
    add_key(make_user(), key)
    options, challenge = services.registration_options(user, kind=Kind.SECURITY_KEY)
    answer = key.create(json.loads(options), again=next(iter(key.credentials)))
    with pytest.raises(RegisteredElsewhere):
        services.register(user, response=json.dumps(answer), challenge=challenge, name="x", kind=Kind.SECURITY_KEY)
    assert not WebAuthnCredential.objects.filter(user=user).exists()


def test_registration_answer_for_another_origin(signed_in_client, softkey):
    client = signed_in_client
    client.post("/account/security-keys/add/", {"name": "Key", "kind": "security_key"})
    options = page_options(client.get("/account/security-keys/add/register/"))
    answer = softkey().create(options, origin="https://evil.example.net")
    response = client.post("/account/security-keys/add/register/", {"response": json.dumps(answer)})
    assert response.status_code == 400 and "made for another website" in response.content.decode()
    assert not WebAuthnCredential.objects.exists()


def test_a_challenge_is_used_once(client, user, softkey, sign_in_with_sms):
    sign_in_with_sms(client, user)
    client.post("/account/security-keys/add/", {"name": "Key", "kind": "security_key"})
    options = page_options(client.get("/account/security-keys/add/register/"))
    answer = json.dumps(softkey().create(options))
    client.post("/account/security-keys/add/register/", {"response": answer})
    client.post("/account/security-keys/add/", {"name": "Key 2", "kind": "security_key"})
    response = client.post("/account/security-keys/add/register/", {"response": answer})
    assert response.status_code == 400
    assert WebAuthnCredential.objects.count() == 1


def test_add_form_errors(signed_in_client):
    response = signed_in_client.post("/account/security-keys/add/", {"name": "", "kind": "toaster"})
    page = response.content.decode()
    assert response.status_code == 400 and "Give it a name" in page and "Choose a security key or a trusted" in page
    response = signed_in_client.post("/account/security-keys/add/", {"name": "x" * 61, "kind": "platform"})
    assert "at most 60 characters" in response.content.decode()


def test_sign_in_with_a_security_key(client, user, softkey, add_key):
    key = softkey()
    add_key(user, key)
    response = start_signin(client, user, "webauthn")
    assert response.url == "/login/security-key/"
    options = page_options(client.get(response.url))
    assert options["userVerification"] == "required" and len(options["allowCredentials"]) == 1
    response = client.post(response.url, {"response": json.dumps(key.get(options))})
    assert response.status_code == 302 and response.url == "/account/"
    assert session_strengths(client) == ["PASSWORD_WEBAUTHN"]
    credential = WebAuthnCredential.objects.get()
    assert credential.sign_count == 1 and credential.last_used is not None


def test_an_assertion_from_another_accounts_key(client, user, make_user, softkey, add_key):
    mine, theirs = softkey(), softkey()
    add_key(user, mine)
    add_key(make_user(), theirs)
    start_signin(client, user, "webauthn")
    options = page_options(client.get("/login/security-key/"))
    answer = theirs.get(options | {"allowCredentials": []})
    response = client.post("/login/security-key/", {"response": json.dumps(answer)})
    assert response.status_code == 400 and "not registered to this account" in response.content.decode()
    assert not session_strengths(client)


def test_an_assertion_for_another_origin(client, user, softkey, add_key):
    key = softkey()
    add_key(user, key)
    start_signin(client, user, "webauthn")
    options = page_options(client.get("/login/security-key/"))
    answer = key.get(options, origin="https://phish.example.net")
    response = client.post("/login/security-key/", {"response": json.dumps(answer)})
    assert response.status_code == 400 and "made for another website" in response.content.decode()
    assert WebAuthnCredential.objects.get().sign_count == 0
    assert not session_strengths(client)


def test_a_counter_going_backwards_is_flagged_as_a_possible_clone(client, user, softkey, add_key, outbox):
    key = softkey()
    add_key(user, key, name="Work key")
    WebAuthnCredential.objects.update(sign_count=40)
    start_signin(client, user, "webauthn")
    options = page_options(client.get("/login/security-key/"))
    response = client.post("/login/security-key/", {"response": json.dumps(key.get(options, sign_count=12))})
    assert response.status_code == 400 and "signature counter went backwards" in response.content.decode()
    assert not session_strengths(client)
    credential = WebAuthnCredential.objects.get()
    assert credential.clone_suspected is not None and credential.sign_count == 40
    event = AuditEvent.objects.get(event=Event.WEBAUTHN_POSSIBLE_CLONE)
    assert event.data["stored_count"] == 40 and event.data["received_count"] == 12
    mail = outbox.last(user.email)
    assert mail.kind == "webauthn_possible_clone" and "Work key" in mail.subject


def test_a_forged_answer_is_not_flagged(client, user, softkey, add_key):
    key = softkey()
    add_key(user, key)
    WebAuthnCredential.objects.update(sign_count=40)
    start_signin(client, user, "webauthn")
    options = page_options(client.get("/login/security-key/"))
    client.post("/login/security-key/", {"response": json.dumps(key.get(options, sign_count=12, tamper=True))})
    assert WebAuthnCredential.objects.get().clone_suspected is None


def test_the_challenge_page_needs_a_pending_signin(client):
    assert client.get("/login/security-key/").url == "/login/"


def test_empty_answer(client, user, softkey, add_key):
    add_key(user, softkey())
    start_signin(client, user, "webauthn")
    client.get("/login/security-key/")
    response = client.post("/login/security-key/", {"response": ""})
    assert response.status_code == 400 and "did not send an answer" in response.content.decode()


@pytest.mark.parametrize("answer", ["{", "null", "[]", '{"id": 5}'])
def test_a_malformed_answer_is_refused_and_audited(client, user, softkey, add_key, answer):
    add_key(user, softkey())
    start_signin(client, user, "webauthn")
    client.get("/login/security-key/")
    response = client.post("/login/security-key/", {"response": answer})
    assert response.status_code == 400 and "limen.sso" not in client.session
    failed = AuditEvent.objects.get(user=user, event=Event.FACTOR_FAILED)
    assert failed.data["method"] == "webauthn" and failed.data["reason"] == "malformed"


# -- passkey ---------------------------------------------------------------------------

def test_sign_in_with_a_passkey_without_password(client, user, softkey, add_key):
    key = softkey(attachment="platform")
    add_key(user, key, kind=Kind.PLATFORM)
    page = client.get("/login/").content.decode()
    assert "Sign in with a passkey" in page and 'autocomplete="username webauthn"' in page
    options = client.post("/login/passkey/options/").json()
    assert options["allowCredentials"] == [] and options["userVerification"] == "required"
    response = client.post("/login/passkey/", {"response": json.dumps(key.get(options)), "next": "/account/activity/"})
    assert response.status_code == 302 and response.url == "/account/activity/"
    assert session_strengths(client) == ["PASSWORD_WEBAUTHN"]
    assert AuditEvent.objects.filter(user=user, event=Event.SIGNIN_SUCCEEDED).exists()


def test_a_passkey_signs_in_while_password_sign_in_is_paused_and_says_so(client, user, softkey, add_key):
    """The policy of docs/factors.md: the lock stops password guessing, not a phishing-resistant
    credential; the audit trail records the sign-in as one made while paused, with the method."""
    from tests.signin.helpers import attempt

    key = softkey(attachment="platform")
    add_key(user, key, kind=Kind.PLATFORM)
    for _ in range(5):
        attempt(Client(), user.email, "Wrong-Password-1")
    user.refresh_from_db()
    assert user.is_locked
    options = client.post("/login/passkey/options/").json()
    response = client.post("/login/passkey/", {"response": json.dumps(key.get(options))})
    assert response.status_code == 302 and session_strengths(client) == ["PASSWORD_WEBAUTHN"]
    event = AuditEvent.objects.get(user=user, event=Event.SIGNIN_WHILE_LOCKED)
    assert event.data["method"] == "passkey" and event.data["locked_until"]
    # The pause goes on for the password.
    assert attempt(Client(), user.email, "Correct-Horse-42").status_code == 400


def test_passkey_with_a_foreign_user_handle(client, user, make_user, softkey, add_key):
    key = softkey()
    add_key(user, key)
    other = make_user()
    from limen.factors.webauthn import services

    options = client.post("/login/passkey/options/").json()
    answer = key.get(options)
    answer["response"]["userHandle"] = b64url(services.user_handle(other))
    response = client.post("/login/passkey/", {"response": json.dumps(answer)}, follow=True)
    assert "not registered to this account" in response.content.decode()
    assert not session_strengths(client)


def test_passkey_unknown_reused_and_off_site(client, user, softkey, add_key):
    key = softkey()
    add_key(user, key)
    stranger = softkey()
    stranger.create(client.post("/login/passkey/options/").json() | {
        "rp": {"id": "127.0.0.1", "name": "x"}, "user": {"id": "AAAA", "name": "x", "displayName": "x"},
        "excludeCredentials": [], "challenge": "AAAA"})
    options = client.post("/login/passkey/options/").json()
    response = client.post("/login/passkey/", {"response": json.dumps(stranger.get(options))}, follow=True)
    assert "This passkey is not known here" in response.content.decode()
    options = client.post("/login/passkey/options/").json()
    answer = json.dumps(key.get(options))
    client.post("/login/passkey/", {"response": answer})
    client.post("/logout/")
    response = client.post("/login/passkey/", {"response": answer}, follow=True)
    assert "took too long or was interrupted" in response.content.decode()
    options = client.post("/login/passkey/options/").json()
    response = client.post("/login/passkey/", {"response": json.dumps(key.get(options, origin="http://evil.test"))},
                           follow=True)
    assert "made for another website" in response.content.decode()
    assert not session_strengths(client)


def test_passkey_of_a_disabled_account(client, user, softkey, add_key):
    key = softkey()
    add_key(user, key)
    user.is_active = False
    user.save()
    options = client.post("/login/passkey/options/").json()
    response = client.post("/login/passkey/", {"response": json.dumps(key.get(options))}, follow=True)
    assert "has been disabled" in response.content.decode()


def test_passkey_next_is_not_an_open_redirect(client, user, softkey, add_key):
    key = softkey()
    add_key(user, key)
    options = client.post("/login/passkey/options/").json()
    response = client.post("/login/passkey/", {"response": json.dumps(key.get(options)),
                                               "next": "https://evil.example.net/"})
    assert response.url == "/account/"


def test_passkey_options_need_csrf(user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/login/passkey/options/").status_code == 403


# -- managing --------------------------------------------------------------------------

def test_rename_and_remove_after_proving_a_factor(client, user, softkey, add_key, sign_in_with_sms, outbox):
    key = add_key(user, softkey(), name="Old name")
    sign_in_with_sms(client, user)
    response = client.post(f"/account/security-keys/{key.pk}/rename/", {"name": "New name"})
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.name == "New name"
    assert AuditEvent.objects.filter(user=user, event=Event.FACTOR_RENAMED).exists()
    assert "Remove “New name”?" in client.get(f"/account/security-keys/{key.pk}/remove/").content.decode()
    client.post(f"/account/security-keys/{key.pk}/remove/")
    assert not WebAuthnCredential.objects.exists()
    mail = outbox.last(user.email)
    assert mail.kind == "factor_removed" and "New name" in mail.body


def test_removing_needs_the_second_factor(signed_in_client, softkey, add_key):
    key = add_key(signed_in_client.user, softkey())
    response = signed_in_client.post(f"/account/security-keys/{key.pk}/remove/")
    assert response.status_code == 302 and response.url.startswith("/login/step-up/")
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()


def test_someone_elses_key_is_not_found(signed_in_client, make_user, softkey, add_key):
    key = add_key(make_user(), softkey())
    assert signed_in_client.post(f"/account/security-keys/{key.pk}/remove/").status_code == 404
    assert signed_in_client.post(f"/account/security-keys/{key.pk}/rename/", {"name": "x"}).status_code == 404


def test_step_up_with_a_security_key(signed_in_client, softkey, add_key):
    key = softkey()
    add_key(signed_in_client.user, key)
    response = signed_in_client.post("/login/step-up/?next=/account/", {"method": "webauthn"})
    options = page_options(signed_in_client.get(response.url))
    signed_in_client.post("/login/security-key/", {"response": json.dumps(key.get(options))})
    assert session_strengths(signed_in_client) == ["PASSWORD", "PASSWORD_WEBAUTHN"]


def test_failures_are_rate_limited(client, user, softkey, add_key):
    key = softkey()
    add_key(user, key)
    start_signin(client, user, "webauthn")
    for _ in range(10):
        options = page_options(client.get("/login/security-key/"))
        client.post("/login/security-key/", {"response": json.dumps(key.get(options, origin="http://x.test"))})
    options = page_options(client.get("/login/security-key/"))
    response = client.post("/login/security-key/", {"response": json.dumps(key.get(options))})
    assert response.status_code == 429 and "Too many failed attempts" in response.content.decode()
    assert not session_strengths(client)


def test_passkey_options_are_rate_limited_per_ip(client, settings):
    settings.RATE_LIMIT_FORMS_PER_IP = 2
    for _ in range(20):
        assert client.post("/login/passkey/options/").status_code == 200
    response = client.post("/login/passkey/options/")
    assert response.status_code == 429 and "Too many attempts" in response.json()["error"]
