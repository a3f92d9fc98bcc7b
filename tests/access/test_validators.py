"""The validators' pages: who may see them, the list, approve, refuse with a reason, new code, revoke."""

from __future__ import annotations

import pytest

from limen.access import policies
from limen.access.models import AccessRequest, Status
from limen.audit.models import AuditEvent

from .conftest import code_in

pytestmark = pytest.mark.django_db


def test_the_list_shows_pending_requests_of_the_applications_one_validates(validator_client, pending, other_policy,
                                                                           make_user, client_factory):
    stranger = client_factory(make_user(first_name="Bo", last_name="Other"))
    assert stranger.post("/access/library/", {"f_readerCard": "R-2"}).status_code == 302
    html = validator_client.get("/validators/").content.decode()
    assert "Pension Fund" in html and "Ada Lovelace" in html
    assert "Library" not in html and "Bo Other" not in html  # not an application this validator validates


def test_the_review_page_shows_what_was_submitted(validator_client, pending):
    html = validator_client.get(f"/validators/{pending.public_id}/").content.decode()
    assert "Personnel number" in html and "12345678" in html and "10 December 1952" in html
    assert "Approve and send the code" in html and "Refuse" in html


def test_people_who_validate_nothing_are_told_so(client_factory, make_user, pending):
    operator = client_factory(make_user(is_staff=True))
    response = operator.get("/validators/")
    assert response.status_code == 403 and "Validators only" in response.content.decode()
    person = client_factory(make_user())
    assert person.get(f"/validators/{pending.public_id}/").status_code == 403
    assert person.post(f"/validators/{pending.public_id}/approve/").status_code == 403
    assert AccessRequest.objects.get(pk=pending.pk).status == Status.PENDING


def test_a_stranger_is_sent_to_sign_in(pending):
    from django.test import Client

    response = Client().get("/validators/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_approve_sends_the_code_and_is_audited(validator_client, pending, outbox):
    response = validator_client.post(f"/validators/{pending.public_id}/approve/", follow=True)
    assert "request is approved" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.CODE_SENT and pending.decided_by == "validator@example.org"
    mail = outbox.last(pending.user.email)
    assert mail.subject == "Your validation code for Pension Fund"
    assert code_in(mail.body)
    assert "/access/pension-fund/code/" in mail.body
    event = AuditEvent.objects.get(event="access.approved")
    assert event.user == pending.user and event.data["by"] == "validator@example.org" and event.data["via"] == "page"
    # Approving twice changes nothing.
    response = validator_client.post(f"/validators/{pending.public_id}/approve/", follow=True)
    assert "already been decided" in response.content.decode()
    assert AuditEvent.objects.filter(event="access.approved").count() == 1


def test_refuse_needs_a_reason_and_the_person_receives_it(validator_client, pending, outbox, signed_in_client):
    response = validator_client.post(f"/validators/{pending.public_id}/refuse/", {"refuse-reason": "  "})
    assert response.status_code == 400 and "Say why" in response.content.decode()
    response = validator_client.post(f"/validators/{pending.public_id}/refuse/", {"refuse-reason": "x\x07y"})
    assert response.status_code == 400 and "not allowed" in response.content.decode()
    assert AccessRequest.objects.get(pk=pending.pk).status == Status.PENDING
    reason = "The personnel number is not in our records."
    response = validator_client.post(f"/validators/{pending.public_id}/refuse/", {"refuse-reason": reason})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Status.REFUSED and pending.reason == reason
    assert reason in outbox.last(pending.user.email).body
    assert AuditEvent.objects.get(event="access.refused").data["reason"] == reason
    # The person sees the reason and may ask again.
    html = signed_in_client.get("/access/pension-fund/").content.decode()
    assert reason in html and "Send my request" in html


def test_a_validator_cannot_decide_for_an_application_they_do_not_validate(client_factory, make_user, pending,
                                                                         other_policy):
    librarian = make_user(email="librarian@example.org", is_staff=True)
    policies.add_validator(other_policy, librarian)
    browser = client_factory(librarian)
    assert browser.get(f"/validators/{pending.public_id}/").status_code == 403
    for action, data in (("approve", {}), ("refuse", {"refuse-reason": "no"}), ("revoke", {"revoke-reason": "no"}),
                         ("resend", {})):
        response = browser.post(f"/validators/{pending.public_id}/{action}/", data)
        assert response.status_code == 403
        assert "You do not validate requests for this application" in response.content.decode()
        assert "12345678" not in response.content.decode()
    assert AccessRequest.objects.get(pk=pending.pk).status == Status.PENDING
    refused = AuditEvent.objects.filter(event="access.decision_refused")
    assert refused.count() == 4 and refused.first().data["by"] == "librarian@example.org"


def test_a_validator_who_is_no_longer_an_operator_loses_the_pages(validator, validator_client, pending):
    validator.is_staff = False
    validator.save()
    assert validator_client.get("/validators/").status_code == 403
    assert validator_client.post(f"/validators/{pending.public_id}/approve/").status_code == 403
    assert AccessRequest.objects.get(pk=pending.pk).status == Status.PENDING


def test_only_operators_can_be_made_validators(make_user, access_policy):
    from limen.access.errors import NotOperator

    with pytest.raises(NotOperator):
        policies.add_validator(access_policy, make_user())


def test_revoke_ends_access_and_tells_the_person(validator_client, approved, signed_in_client, outbox):
    found, code = approved
    assert signed_in_client.post("/access/pension-fund/code/", {"code": code}).status_code == 200
    response = validator_client.post(f"/validators/{found.public_id}/revoke/",
                                     {"revoke-reason": "Pension transferred to another fund."})
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.status == Status.REVOKED and found.ended is not None
    mail = outbox.last(found.user.email)
    assert mail.subject == "Your access to Pension Fund has ended" and "transferred" in mail.body
    assert AuditEvent.objects.filter(event="access.revoked", user=found.user).exists()


def test_a_validator_sends_a_new_code(validator_client, approved, outbox):
    found, code = approved
    response = validator_client.post(f"/validators/{found.public_id}/resend/", follow=True)
    assert "new validation code is on its way" in response.content.decode()
    assert code_in(outbox.last(found.user.email).body) != code
    assert AuditEvent.objects.filter(event="access.code_sent").exists()


def test_validators_find_their_page_on_my_account(validator_client, pending):
    html = validator_client.get("/account/").content.decode()
    assert 'href="/validators/"' in html and "Waiting for a decision: 1" in html
