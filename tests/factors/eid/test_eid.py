"""National eID through an upstream provider: in-process Limen, upstream over real HTTP (a test double that
can misbehave). The happy paths against a real second Limen are in test_eid_live.py."""

from __future__ import annotations

import re

import pytest

from limen.accounts.models import User
from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.factors.eid.models import EidLink
from limen.signin import sessions

from .conftest import through_upstream


def strengths(client):
    return client.session.get(sessions.SESSION_KEY, {}).get("strengths")


def test_sign_in_page_offers_eid_only_when_a_provider_is_enabled(client, db, eid_provider):
    assert b"Sign in with eID" in client.get("/login/").content
    eid_provider.enabled = False
    eid_provider.save()
    assert b"Sign in with eID" not in client.get("/login/").content


def test_sign_in_with_a_linked_eid_needs_no_password_and_counts_as_two_factors(client, user, make_link, upstream):
    make_link(user)
    response = through_upstream(client, client.get("/login/eid/", {"next": "/account/activity/"}))
    assert response.status_code == 302 and response["Location"] == "/account/activity/"
    assert strengths(client) == ["EIDAS"]
    assert client.session[sessions.SESSION_KEY]["level"] == 20  # MEDIUM
    (request,) = upstream.token_requests
    assert request["code_verifier"] and request["grant_type"] == "authorization_code"
    assert EidLink.objects.get(user=user).last_used is not None


@pytest.mark.parametrize("mode", ["wrong_nonce", "no_nonce", "wrong_iss", "wrong_aud", "expired", "bad_signature",
                                  "alg_none", "iss_param", "error"])
def test_bad_upstream_answers_are_refused_and_sign_no_one_in(client, user, make_link, upstream, mode):
    make_link(user)
    upstream.mode = mode
    response = through_upstream(client, client.get("/login/eid/"))
    assert response.status_code == 400
    assert b"eID sign-in did not work" in response.content
    assert not response.wsgi_request.user.is_authenticated and sessions.SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(event=Event.EID_SIGNIN_FAILED).exists()
    assert User.objects.count() == 1 and EidLink.objects.count() == 1


def test_wrong_or_replayed_state_is_refused(client, user, make_link, upstream):
    import requests
    from urllib.parse import urlsplit

    make_link(user)
    start = client.get("/login/eid/")
    answer = requests.get(start["Location"], allow_redirects=False, timeout=10).headers["Location"]
    back = urlsplit(answer)
    tampered = re.sub(r"state=[^&]+", "state=forged", back.query)
    response = client.get(back.path + "?" + tampered)
    assert response.status_code == 400 and b"does not belong" in response.content
    assert client.get(back.path + "?" + back.query).status_code == 302  # the genuine answer still works
    replay = client.get(back.path + "?" + back.query)
    assert replay.status_code == 400 and b"does not belong" in replay.content  # single use


def test_a_flow_expires(client, user, make_link, upstream):
    import requests
    from urllib.parse import urlsplit

    from limen.core import clock

    make_link(user)
    start = client.get("/login/eid/")
    back = urlsplit(requests.get(start["Location"], allow_redirects=False, timeout=10).headers["Location"])
    clock.advance(minutes=11)
    response = client.get(back.path + "?" + back.query)
    assert response.status_code == 400 and b"took too long" in response.content


def test_discovery_with_another_issuer_is_refused(client, db, upstream):
    from limen.factors.eid.models import UpstreamProvider

    UpstreamProvider.objects.create(name="Mislabelled", slug="bad", issuer=upstream.issuer + "/other",
                                    client_id="x")
    response = client.get("/login/eid/")
    assert response.status_code == 503 and b"cannot be reached" in response.content


def test_unlinked_eid_can_create_an_eid_only_account(client, db, eid_provider, upstream, outbox):
    response = through_upstream(client, client.get("/login/eid/"))
    assert response["Location"] == "/login/eid/new/"
    page = client.get("/login/eid/new/")
    assert b"Erika" in page.content and b"erika@example.org" in page.content
    response = client.post("/login/eid/new/", {"first_name": "Erika", "last_name": "Mustermann",
                                               "email": "erika@example.org", "email_language": "de",
                                               "privacy": "on"})
    assert response.status_code == 200 and b"Check your e-mail" in response.content
    assert User.objects.count() == 0  # nothing exists before the address is confirmed
    link = outbox.link("erika@example.org")
    path = link.replace("http://localhost:8000", "")
    assert b"Create my account" in client.get(path).content
    assert User.objects.count() == 0  # opening the link (mail scanners) creates nothing
    assert b"Your account is ready" in client.post(path).content
    account = User.objects.get(email="erika@example.org")
    assert not account.has_usable_password() and account.email_verified and account.email_language == "de"
    assert EidLink.objects.get(user=account).subject == "citizen-0001"
    assert client.post(path).status_code == 400  # the link cannot create a second account
    client.logout()
    through_upstream(client, client.get("/login/eid/"))
    assert client.session["_auth_user_id"] == str(account.pk) and strengths(client) == ["EIDAS"]


def test_eid_only_account_request_for_a_taken_address_creates_nothing(client, user, eid_provider, upstream, outbox):
    through_upstream(client, client.get("/login/eid/"))
    client.post("/login/eid/new/", {"first_name": "X", "last_name": "Y", "email": user.email,
                                    "email_language": "en", "privacy": "on"})
    assert outbox.last(user.email).kind == "eid_account_exists"
    assert User.objects.count() == 1 and not EidLink.objects.exists()


def test_unlinked_eid_then_password_sign_in_links_it(client, user, eid_provider, upstream, outbox):
    through_upstream(client, client.get("/login/eid/"))
    page = client.get("/login/eid/new/")
    assert b"Sign in and link my eID" in page.content
    client.post("/login/", {"email": user.email})
    client.post("/login/password/", {"password": "Correct-Horse-42", "next": "/account/eid/link-this/"})
    assert b"Link the eID you just used" in client.get("/account/eid/link-this/").content
    response = client.post("/account/eid/link-this/")
    assert response["Location"] == "/account/eid/"
    assert EidLink.objects.get(user=user).subject == "citizen-0001"
    assert outbox.last(user.email).kind == "eid_linked"


def test_link_my_eid_from_manage_page(signed_in_client, eid_provider, upstream, outbox):
    client = signed_in_client
    page = client.get("/account/eid/")
    assert b"Link my eID at Test eID" in page.content
    response = through_upstream(client, client.post("/account/eid/link/test-eid/"))
    assert response["Location"] == "/account/eid/"
    link = EidLink.objects.get(user=client.user)
    assert (link.issuer, link.subject) == (upstream.issuer, "citizen-0001")
    assert outbox.last(client.user.email).kind == "eid_linked"
    assert AuditEvent.objects.filter(event=Event.EID_LINKED, user=client.user).exists()
    assert b"Unlink" in client.get("/account/eid/").content


def test_linking_needs_the_existing_second_factor_first(signed_in_client, make_link, upstream):
    make_link(signed_in_client.user, subject="first-eid")
    response = signed_in_client.post("/account/eid/link/test-eid/")
    assert response.status_code == 302 and response["Location"].startswith("/login/step-up/")


def test_an_eid_of_another_normal_account_cannot_be_linked(signed_in_client, make_user, make_link, upstream):
    other = make_user()
    make_link(other)
    through_upstream(signed_in_client, signed_in_client.post("/account/eid/link/test-eid/"))
    assert EidLink.objects.get().user == other
    page = signed_in_client.get("/account/eid/")
    assert b"already linked to another account" in page.content


def test_eid_only_account_is_merged_into_a_normal_account(signed_in_client, make_user, make_link, upstream, outbox):
    source = make_user(email="eid-only@example.org", password=None)
    make_link(source)
    response = through_upstream(signed_in_client, signed_in_client.post("/account/eid/link/test-eid/"))
    assert response["Location"] == "/account/eid/merge/"
    page = signed_in_client.get("/account/eid/merge/")
    assert b"eid-only@example.org" in page.content
    response = signed_in_client.post("/account/eid/merge/", {"decision": "merge"})
    assert response["Location"] == "/account/eid/"
    assert not User.objects.filter(email="eid-only@example.org").exists()
    assert EidLink.objects.get().user == signed_in_client.user
    assert outbox.last(signed_in_client.user.email).kind == "eid_accounts_merged"
    assert AuditEvent.objects.filter(event=Event.EID_ACCOUNTS_MERGED, user=signed_in_client.user).exists()


def test_merge_can_be_declined(signed_in_client, make_user, make_link, upstream):
    source = make_user(email="eid-only@example.org", password=None)
    make_link(source)
    through_upstream(signed_in_client, signed_in_client.post("/account/eid/link/test-eid/"))
    signed_in_client.post("/account/eid/merge/", {"decision": "cancel"})
    assert EidLink.objects.get().user == source
    assert signed_in_client.post("/account/eid/merge/", {"decision": "merge"})["Location"] == "/account/eid/"
    assert User.objects.filter(pk=source.pk).exists()


def test_unlink(client, user, make_link, upstream, outbox):
    link = make_link(user)
    through_upstream(client, client.get("/login/eid/"))  # signed in with the eID: level MEDIUM
    response = client.post(f"/account/eid/unlink/{link.pk}/")
    assert response["Location"] == "/account/eid/" and not EidLink.objects.exists()
    assert outbox.last(user.email).kind == "eid_unlinked"


def test_the_last_eid_of_an_eid_only_account_cannot_be_unlinked(client, make_user, make_link, upstream):
    account = make_user(password=None)
    link = make_link(account)
    through_upstream(client, client.get("/login/eid/"))
    client.post(f"/account/eid/unlink/{link.pk}/")
    assert EidLink.objects.filter(pk=link.pk).exists()
    assert b"only way to sign in" in client.get("/account/eid/").content


def test_someone_elses_link_cannot_be_unlinked(signed_in_client, make_user, make_link):
    link = make_link(make_user())
    assert signed_in_client.post(f"/account/eid/unlink/{link.pk}/").status_code == 404
    assert EidLink.objects.filter(pk=link.pk).exists()


def test_eid_as_the_second_factor_after_the_password(client, user, make_link, upstream):
    make_link(user)
    client.post("/login/", {"email": user.email})
    page = client.get("/login/password/")
    assert b"National eID" in page.content
    response = client.post("/login/password/", {"password": "Correct-Horse-42", "method": "eid"})
    assert response["Location"] == "/login/eid/verify/"
    done = through_upstream(client, client.get("/login/eid/verify/"))
    assert done.status_code == 302 and strengths(client) == ["EIDAS"]


def test_eid_step_up_from_a_password_session(signed_in_client, make_link, upstream):
    make_link(signed_in_client.user)
    response = signed_in_client.post("/login/step-up/", {"method": "eid", "next": "/account/activity/"})
    done = through_upstream(signed_in_client, signed_in_client.get(response["Location"]))
    assert done["Location"] == "/account/activity/"
    assert strengths(signed_in_client) == ["EIDAS", "PASSWORD"]


def test_second_factor_with_someone_elses_eid_is_refused(client, user, make_user, make_link, upstream):
    make_link(user, subject="mine")
    make_link(make_user(), subject="citizen-0001")  # the upstream answers with this person's identity
    client.post("/login/", {"email": user.email})
    client.post("/login/password/", {"password": "Correct-Horse-42", "method": "eid"})
    response = through_upstream(client, client.get("/login/eid/verify/"))
    assert response.status_code == 400 and b"not linked to the account that is signing in" in response.content
    assert sessions.SESSION_KEY not in client.session


def test_panic_removes_every_link(user, make_link):
    from limen.signin.methods import registry

    make_link(user, "a")
    make_link(user, "b")
    assert registry.get("eid").enrolled_count(user) == 2
    assert registry.get("eid").remove_all(user) == 2
    assert not EidLink.objects.exists() and not registry.get("eid").available_for(user)


def test_the_upstream_client_secret_is_encrypted_at_rest(eid_provider, upstream):
    from limen.factors.eid.models import UpstreamProvider

    stored = UpstreamProvider.objects.values_list("client_secret_encrypted", flat=True).get()
    assert upstream.CLIENT_SECRET not in stored
    assert UpstreamProvider.objects.get().secret() == upstream.CLIENT_SECRET


def test_eid_provider_command(db, capsys):
    from django.core.management import call_command

    from limen.factors.eid.models import UpstreamProvider

    call_command("eid_provider", "add", "--name", "Belgian eID", "--slug", "be", "--issuer",
                 "https://idp.example.be", "--client-id", "limen", "--client-secret", "top-secret")
    out = capsys.readouterr().out
    assert "Register this redirect URI at the provider: http://localhost:8000/login/eid/callback/" in out
    provider = UpstreamProvider.objects.get(slug="be")
    assert provider.secret() == "top-secret" and "top-secret" not in provider.client_secret_encrypted
    call_command("eid_provider", "disable", "be")
    assert not UpstreamProvider.objects.get(slug="be").enabled
    call_command("eid_provider", "list")
    assert "be  Belgian eID  https://idp.example.be  disabled" in capsys.readouterr().out


def test_operators_add_a_provider_in_the_admin_site(client, make_user, upstream):
    from limen.factors.eid.models import UpstreamProvider

    client.force_login(make_user(is_staff=True, is_superuser=True))
    page = client.get("/admin/factors_eid/upstreamprovider/add/")
    assert b"http://localhost:8000/login/eid/callback/" in page.content  # the redirect URI to register
    response = client.post("/admin/factors_eid/upstreamprovider/add/", {
        "name": "Test eID", "slug": "test", "issuer": upstream.issuer, "client_id": "limen",
        "client_secret": "s3cret", "token_auth_method": "client_secret_basic", "scopes": "profile openid",
        "enabled": "on"})
    assert response.status_code == 302, response.content[:2000]
    provider = UpstreamProvider.objects.get()
    assert provider.secret() == "s3cret" and provider.scopes == "profile openid"
    bad = client.post(f"/admin/factors_eid/upstreamprovider/{provider.pk}/change/", {
        "name": "Test eID", "slug": "test", "issuer": upstream.issuer, "client_id": "limen", "client_secret": "",
        "token_auth_method": "client_secret_basic", "scopes": "profile", "enabled": "on"})
    assert b"must include openid" in bad.content
    kept = client.post(f"/admin/factors_eid/upstreamprovider/{provider.pk}/change/", {
        "name": "Renamed eID", "slug": "test", "issuer": upstream.issuer, "client_id": "limen", "client_secret": "",
        "token_auth_method": "client_secret_basic", "scopes": "openid", "enabled": "on"})
    assert kept.status_code == 302
    assert UpstreamProvider.objects.get().name == "Renamed eID"
    assert UpstreamProvider.objects.get().secret() == "s3cret"  # an empty field keeps the secret
    assert client.get("/admin/factors_eid/eidlink/").status_code == 200


def test_panic_removes_the_eid_links_and_a_new_link_waits_for_the_e_mail(signed_in_client, make_link):
    from limen.factors.panic import services as panic

    make_link(signed_in_client.user)
    removed = panic.panic(signed_in_client.user)
    assert removed == {"eid": 1} and not EidLink.objects.exists()
    response = signed_in_client.post("/account/eid/link/test-eid/")
    assert response.status_code == 302 and "next=%2Faccount%2Feid%2F" in response["Location"]
    assert "/eid/" not in response["Location"].split("?")[0]  # sent to confirm by e-mail first, not upstream
