"""The person asks for access: the form, its errors (each changes nothing), the acknowledgement, the status."""

from __future__ import annotations

import datetime as dt

import pytest

from limen.access.models import AccessRequest, Status
from limen.audit.models import AuditEvent
from limen.core import clock

from .conftest import GOOD, page

pytestmark = pytest.mark.django_db


def errors_of(response) -> str:
    return response.content.decode()


def test_the_form_asks_for_the_fields_with_the_account_filled_in(signed_in_client, access_policy):
    response = signed_in_client.get(page())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ask for access to Pension Fund" in html
    for label in ("Personnel number", "Personnel number, again", "Family name", "Birth date", "Institution"):
        assert label in html
    assert 'value="Lovelace"' in html  # prefilled from the account
    assert 'type="date"' in html and f'max="{clock.now().date().isoformat()}"' in html
    assert 'name="delivery"' not in html  # no mobile number on the account: the code comes by e-mail


def test_a_request_is_received_then_its_status_is_shown(signed_in_client, submit, access_policy):
    response = submit(signed_in_client)
    assert response.status_code == 302 and response["Location"] == page(step="submitted")
    found = AccessRequest.objects.get(user=signed_in_client.user)
    assert found.status == Status.PENDING
    assert found.values == {"personnelNumber": "12345678", "familyName": "Lovelace", "birthDate": "1952-12-10",
                            "institution": "Council"}
    ack = signed_in_client.get(response["Location"]).content.decode()
    assert "We have received your request" in ack and "Processing may take up to 3 working days." in ack
    status = signed_in_client.get(page()).content.decode()
    assert "Your request is being processed" in status
    event = AuditEvent.objects.get(event="access.requested")
    assert event.user == signed_in_client.user and event.data["application"] == "Pension Fund"


def test_the_labels_follow_the_persons_language(signed_in_client, access_policy):
    html = signed_in_client.get(page(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Numéro du personnel" in html


BAD = [
    ({"f_personnelNumber_again": "12345679"}, "f_personnelNumber_again",
     "The two do not match. Type the same Personnel number in both fields."),
    ({"f_personnelNumber": "12AB", "f_personnelNumber_again": "12AB"}, "f_personnelNumber",
     "This is not in the expected form."),
    ({"f_birthDate": (dt.date.today() + dt.timedelta(days=2)).isoformat()}, "f_birthDate",
     "This date is in the future."),
    ({"f_birthDate": "1952-02-30"}, "f_birthDate", "This date does not exist."),
    ({"f_birthDate": "31/02/1952"}, "f_birthDate", "This date does not exist."),
    ({"f_birthDate": "1850-01-01"}, "f_birthDate", "too far in the past"),
    ({"f_familyName": "L" * 61}, "f_familyName", "At most 60 characters (you typed 61)."),
    ({"f_familyName": "Love\x00lace"}, "f_familyName", "Null characters are not allowed."),
    ({"f_familyName": "Love\x07lace"}, "f_familyName", "characters that are not allowed"),
    ({"f_familyName": "Love\u202elace"}, "f_familyName", "characters that are not allowed"),
    ({"f_personnelNumber": "123\t4567", "f_personnelNumber_again": "1234567"}, "f_personnelNumber",
     "characters that are not allowed"),
    ({"f_familyName": ""}, "f_familyName", "Fill in this field."),
    ({"f_institution": "Court of Fiction"}, "f_institution", "Choose one of the options in the list."),
]


@pytest.mark.parametrize("changes, field, message", BAD)
def test_bad_input_is_refused_clearly_and_nothing_is_stored(signed_in_client, submit, changes, field, message):
    response = submit(signed_in_client, **changes)
    assert response.status_code == 400
    html = errors_of(response)
    assert message in html, html
    assert f'id="id_{field}_error"' in html  # on its field, and in the summary
    assert 'aria-invalid="true"' in html
    assert not AccessRequest.objects.exists()
    assert not AuditEvent.objects.filter(event="access.requested").exists()


def test_a_date_typed_in_the_day_month_year_form_is_understood(signed_in_client, submit):
    assert submit(signed_in_client, f_birthDate="10/12/1952").status_code == 302
    assert AccessRequest.objects.get().values["birthDate"] == "1952-12-10"


def test_an_optional_choice_can_be_left_out(signed_in_client, submit):
    assert submit(signed_in_client, f_institution="").status_code == 302
    assert "institution" not in AccessRequest.objects.get().values


def test_a_second_request_while_one_is_pending_is_refused(signed_in_client, pending, submit):
    response = submit(signed_in_client, f_familyName="Byron")
    assert response.status_code == 409
    assert "Your request is being processed" in response.content.decode()
    assert AccessRequest.objects.count() == 1 and AccessRequest.objects.get().values["familyName"] == "Lovelace"


def test_the_service_refuses_a_second_request_too(pending):
    from limen.access import requests as access_requests
    from limen.access.errors import AlreadyPending

    with pytest.raises(AlreadyPending) as error:
        access_requests.submit(pending.user, pending.policy, {"familyName": "Byron"})
    assert error.value.status == 409
    assert AccessRequest.objects.count() == 1


def test_an_application_that_does_not_require_validation_has_no_request_page(signed_in_client, access_policy):
    response = signed_in_client.get(page("no-such-application"))
    assert response.status_code == 404
    assert "does not ask for access requests" in response.content.decode()
    access_policy.enabled = False
    access_policy.save()
    response = signed_in_client.post(page(), GOOD)
    assert response.status_code == 404 and not AccessRequest.objects.exists()


def test_a_stranger_is_sent_to_sign_in_first(client, access_policy):
    response = client.get(page())
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=%2Faccess%2Fpension-fund%2F")


def test_the_level_the_application_asks_for_is_required(signed_in_client, access_policy, sign_in_with_sms,
                                                        client_factory, make_user):
    access_policy.level = 20  # MEDIUM
    access_policy.save()
    response = signed_in_client.get(page())
    assert response.status_code == 302 and response["Location"].startswith("/login/step-up/")
    person = make_user()
    strong = sign_in_with_sms(client_factory(person), person)
    assert strong.get(page()).status_code == 200


def test_the_code_may_come_by_sms_to_a_number_on_the_account(signed_in_client, submit, add_phone, decider,
                                                             outbox, sms_code):
    from limen.access import decisions

    add_phone(signed_in_client.user, "+46701234567")
    html = signed_in_client.get(page()).content.decode()
    assert "By e-mail to" in html and "By SMS to +46 70 ••• •• 67" in html
    assert submit(signed_in_client, delivery="sms:+46709999999").status_code == 400  # not one of the choices
    assert submit(signed_in_client, delivery="sms:+46701234567").status_code == 302
    found = AccessRequest.objects.get()
    assert (found.delivery, found.number) == ("sms", "+46701234567")
    decisions.approve(found, decider)
    message = outbox.last("+46701234567")
    assert message.channel == "sms" and "Pension Fund" in message.body
    assert message.expires is not None
