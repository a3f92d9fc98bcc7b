"""The validation code: its form, entering it (every way it can be wrong changes nothing but the count),
locking after a few tries, new codes, and access at once afterwards."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from limen.access import codes, decisions, issue
from limen.access.errors import CodeBadCharacter, CodeMalformed, CodeWrongLength
from limen.access.models import AccessRequest, Status
from limen.audit.models import AuditEvent
from limen.core import clock

from .conftest import CODE, code_in, page

pytestmark = pytest.mark.django_db


# -- what a code looks like ----------------------------------------------------------------------

def test_codes_have_twelve_characters_in_four_groups_without_look_alikes():
    seen = {codes.display(codes.new_code()) for _ in range(200)}
    assert len(seen) == 200
    for code in seen:
        assert CODE.fullmatch(code)
        assert not set(code) & set("0O1IL")


@pytest.mark.parametrize("typed", ["ABC-DEF-GHJ-KMN", "abc def ghj kmn", "abcdefghjkmn", " AbC-dEf GhJ-kMn ",
                                   "ABC–DEF".replace("–", "-") + "-GHJ-KMN"])
def test_separators_and_case_are_accepted(typed):
    assert codes.normalise(typed) == "ABCDEFGHJKMN"


@pytest.mark.parametrize("typed, box", [("ABC-DEF-GH0-KMN", 3), ("ABO-DEF-GHJ-KMN", 1), ("ABC.DEF.GHJ.KMN", 2),
                                        ("ABC-DEF-GHJ-KML", 4), ("abc-def-ghj-kmi", 4)])
def test_a_character_codes_never_use_is_refused_naming_its_box(typed, box):
    with pytest.raises(CodeBadCharacter) as error:
        codes.normalise(typed)
    assert error.value.group == box
    assert f"Box {box} holds" in str(error.value.message)


def test_the_wrong_length_and_nonsense_are_refused():
    with pytest.raises(CodeWrongLength) as error:
        codes.normalise("ABC-DEF-GHJ")
    assert "you typed 9" in str(error.value.message)
    with pytest.raises(CodeMalformed):
        codes.normalise("A" * 41)
    with pytest.raises(CodeMalformed):
        codes.normalise("")


def test_only_a_keyed_hash_bound_to_the_request_is_stored(approved):
    found, code = approved
    assert code.replace("-", "") not in found.code_digest
    assert found.code_digest == codes.digest(code.replace("-", ""), request_id=found.public_id)
    assert found.code_digest != codes.digest(code.replace("-", ""), request_id="another request")
    assert found.code_expires - found.code_sent == dt.timedelta(days=30)


# -- entering it -----------------------------------------------------------------------------------

def enter(client, code: str, **query):
    return client.post(page(step="code", **query), {"code": code})


def test_the_code_page_has_one_field_that_the_script_turns_into_four_boxes(signed_in_client, approved):
    html = signed_in_client.get(page(step="code")).content.decode()
    assert 'data-code-boxes="4"' in html and 'data-box-size="3"' in html
    assert 'autocomplete="one-time-code"' in html
    assert re.search(r'<script src="/static/limen/access-code\.js" defer>', html)
    assert "<script>" not in html  # no inline script (CSP script-src 'self')


def test_a_pending_request_is_sent_from_the_code_page_to_its_status(signed_in_client, pending):
    response = signed_in_client.get(page(step="code"))
    assert response.status_code == 302 and response["Location"] == page()


def test_the_right_code_typed_loosely_activates_access_at_once(signed_in_client, approved):
    found, code = approved
    back = "/cas/login?service=https%3A%2F%2Fpension.example.org%2Fportal%2F"
    response = enter(signed_in_client, code.lower().replace("-", " "), next=back)
    html = response.content.decode()
    assert response.status_code == 200 and "Your access is active now." in html
    assert f'href="{back.replace("&", "&amp;")}"' in html and "Continue to Pension Fund" in html
    found.refresh_from_db()
    assert found.status == Status.ACTIVE and found.activated is not None and found.code_digest == ""
    assert AuditEvent.objects.filter(event="access.activated", user=found.user).exists()


def test_a_used_code_is_refused(signed_in_client, approved):
    found, code = approved
    enter(signed_in_client, code)
    response = enter(signed_in_client, code)
    assert response.status_code == 409 and "already been used" in response.content.decode()


def test_a_wrong_code_says_how_many_tries_are_left_and_counts(signed_in_client, approved):
    found, code = approved
    response = enter(signed_in_client, "ABC-DEF-GHJ-KMN")
    assert response.status_code == 400 and "4 tries left" in response.content.decode()
    found.refresh_from_db()
    assert found.status == Status.CODE_SENT and found.code_attempts == 1
    assert AuditEvent.objects.filter(event="access.code_failed").count() == 1


def test_a_malformed_code_names_its_box_and_does_not_count(signed_in_client, approved):
    found, _code = approved
    response = enter(signed_in_client, "ABC-DEF-G0J-KMN")
    html = response.content.decode()
    assert response.status_code == 400 and "Box 3 holds “0”" in html and 'data-wrong-box="3"' in html
    found.refresh_from_db()
    assert found.code_attempts == 0


def test_the_code_locks_after_a_few_tries_and_a_validator_unlocks_it(signed_in_client, approved, decider, outbox,
                                                                     settings):
    found, code = approved
    for _ in range(settings.ACCESS_CODE_ATTEMPTS - 1):
        assert enter(signed_in_client, "ABC-DEF-GHJ-KMN").status_code == 400
    response = enter(signed_in_client, "ABC-DEF-GHJ-KMN")
    assert response.status_code == 429 and "locked" in response.content.decode()
    assert enter(signed_in_client, code).status_code == 429  # even the right code, now
    found.refresh_from_db()
    assert found.status == Status.CODE_SENT and found.code_locked
    assert AuditEvent.objects.filter(event="access.code_locked").exists()
    response = signed_in_client.post(page(step="code/new"), follow=True)  # the person cannot unlock it
    assert "locked" in response.content.decode()
    decisions.resend_code(found, decider)
    fresh = code_in(outbox.last(found.user.email).body)
    assert enter(signed_in_client, code).status_code == 400  # the old code no longer works
    assert enter(signed_in_client, fresh).status_code == 200
    found.refresh_from_db()
    assert found.status == Status.ACTIVE


def test_tries_racing_each_other_cannot_pass_the_limit(approved, settings):
    """Each try reserves its place with a conditional UPDATE before the code is compared."""
    from limen.access import redeem
    from limen.access.errors import CodeLocked, WrongCode

    found, _code = approved
    AccessRequest.objects.filter(pk=found.pk).update(code_attempts=settings.ACCESS_CODE_ATTEMPTS - 1)
    with pytest.raises(CodeLocked):
        redeem.redeem(found.user, found.policy, "ABC-DEF-GHJ-KMN")
    with pytest.raises(CodeLocked):
        redeem.redeem(found.user, found.policy, "ABC-DEF-GHJ-KMN")
    assert AccessRequest.objects.get(pk=found.pk).code_attempts == settings.ACCESS_CODE_ATTEMPTS
    AccessRequest.objects.filter(pk=found.pk).update(code_attempts=0)
    with pytest.raises(WrongCode):
        redeem.redeem(found.user, found.policy, "ABC-DEF-GHJ-KMN")


def test_an_expired_code_is_refused_and_a_new_one_can_be_asked_for(signed_in_client, approved, outbox):
    found, code = approved
    AccessRequest.objects.filter(pk=found.pk).update(code_expires=clock.now() - dt.timedelta(seconds=1))
    response = enter(signed_in_client, code)
    assert response.status_code == 410 and "expired" in response.content.decode()
    response = signed_in_client.post(page(step="code/new"), follow=True)
    assert "We have sent you a new code by e-mail" in response.content.decode()
    fresh = code_in(outbox.last(found.user.email).body)
    assert fresh != code
    assert enter(signed_in_client, fresh).status_code == 200


def test_new_codes_on_request_are_limited(signed_in_client, approved, settings):
    for _ in range(settings.ACCESS_CODE_RESENDS_PER_DAY):
        assert "new code by e-mail" in signed_in_client.post(page(step="code/new"), follow=True).content.decode()
    response = signed_in_client.post(page(step="code/new"), follow=True)
    assert "several new codes today" in response.content.decode()


def test_a_code_of_another_person_does_not_work(signed_in_client, approved, make_user, client_factory, submit,
                                                decider, outbox):
    _found, code = approved
    other = client_factory(make_user())
    assert submit(other).status_code == 302
    theirs = AccessRequest.objects.get(user=other.user)
    decisions.approve(theirs, decider)
    response = enter(other, code)  # the first person's code
    assert response.status_code == 400 and "This code is not right" in response.content.decode()
    assert AccessRequest.objects.get(pk=theirs.pk).status == Status.CODE_SENT


def test_a_code_for_another_application_says_so(signed_in_client, approved, other_policy, outbox, make_user):
    from limen.access import policies

    found, code = approved
    librarian = make_user(is_staff=True)
    policies.add_validator(other_policy, librarian)
    assert signed_in_client.post("/access/library/", {"f_readerCard": "R-1"}).status_code == 302
    library = AccessRequest.objects.get(policy=other_policy)
    decisions.approve(library, decisions.Decider(label=librarian.email, via="page", user=librarian))
    library_code = code_in(outbox.last(found.user.email).body)
    response = enter(signed_in_client, library_code)
    assert response.status_code == 400 and "This code is for your access to Library" in response.content.decode()
    assert AccessRequest.objects.get(pk=found.pk).status == Status.CODE_SENT
    assert AccessRequest.objects.get(pk=library.pk).status == Status.CODE_SENT
    assert signed_in_client.post("/access/library/code/", {"code": library_code}).status_code == 200


def test_the_person_resend_is_refused_without_an_approved_request(signed_in_client, pending):
    from limen.access.errors import NoCode

    with pytest.raises(NoCode):
        issue.resend_for_person(signed_in_client.user, pending)
