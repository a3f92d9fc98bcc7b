"""Operators configure access validation: the fields' rules, `limen access_policy`, the operators' site."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from limen.access import fields, policies
from limen.access.models import AccessPolicy, AccessRequest, ApiToken, Status, ValidatorRole
from limen.audit.models import AuditEvent

from .conftest import FIELDS

pytestmark = pytest.mark.django_db


def limen(*args) -> str:
    out = StringIO()
    call_command("access_policy", *args, stdout=out)
    return out.getvalue()


# -- the fields' rules -------------------------------------------------------------------------------

def test_a_field_cannot_shadow_what_applications_already_receive():
    from limen.cas.attributes import ATTRIBUTES, authentication_facts
    from limen.oidc.claims import ALL_CLAIMS

    class Ticket:  # the facts' names only
        auth_time = __import__("datetime").datetime.now()
        from_sso = False

    assert set(ATTRIBUTES) | set(authentication_facts(Ticket())) | set(ALL_CLAIMS) <= fields.RESERVED
    with pytest.raises(ValidationError, match="already sent to applications"):
        fields.parse_spec({"name": "email", "label": "E-mail"})


@pytest.mark.parametrize("spec, problem", [
    ({"name": "1abc", "label": "x"}, "must start with a letter"),
    ({"name": "x", "label": ""}, "1 to 200 characters"),
    ({"name": "x", "label": "x", "type": "colour"}, "The type must be one of"),
    ({"name": "x", "label": "x", "pattern": "(["}, "not a valid regular expression"),
    ({"name": "x", "label": "x", "type": "choice"}, "needs 1 to 50 different choices"),
    ({"name": "x", "label": "x", "choices": ["a"]}, "Only a choice field has choices"),
    ({"name": "x", "label": "x", "type": "date", "pattern": "a"}, "Only text and identifier"),
    ({"name": "x", "label": "x", "max_length": 500}, "max_length must be"),
    ({"name": "x", "label": "x", "colour": "red"}, "Unknown keys: colour"),
    ({"name": "x", "label": {"en": "ok", "fr": 3}}, "one text per language"),
    ({"name": "x", "label": "x", "prefill": "email"}, "prefill is first_name or last_name"),
])
def test_bad_field_descriptions_are_refused_saying_why(spec, problem):
    with pytest.raises(ValidationError) as error:
        fields.parse_specs([spec])
    assert problem in " ".join(error.value.messages)


def test_two_fields_with_one_name_are_refused():
    with pytest.raises(ValidationError, match="same name"):
        fields.parse_specs([{"name": "a", "label": "A"}, {"name": "a", "label": "B"}])


# -- limen access_policy -------------------------------------------------------------------------------

def test_the_command_configures_shows_and_removes_a_policy(access_service, tmp_path, make_user):
    spec = tmp_path / "fields.json"
    spec.write_text(json.dumps(FIELDS))
    out = limen("set", "cas:Pension Fund", "--level", "MEDIUM", "--fields", f"@{spec}",
                "--acknowledgement", "Up to 3 working days.")
    assert "Now requires access validation: Pension Fund, request page /access/pension-fund/, level MEDIUM" in out
    shown = json.loads(limen("show", "Pension Fund"))
    assert shown["level"] == "MEDIUM" and [f["name"] for f in shown["fields"]] == [f["name"] for f in FIELDS]
    # show's output is what set reads back
    spec.write_text(json.dumps(shown["fields"][:1]))
    assert "Changed" in limen("set", "cas:Pension Fund", "--fields", f"@{spec}", "--disable")
    policy = AccessPolicy.objects.get()
    assert policy.fields.count() == 1 and not policy.enabled and policy.level == 20
    operator = make_user(email="val@example.org", is_staff=True)
    assert "now validates" in limen("validator-add", "cas:Pension Fund", operator.email)
    assert ValidatorRole.objects.filter(user=operator).exists()
    out = limen("token-add", "cas:Pension Fund", "--name", "HR")
    token_value = out.strip().splitlines()[-1]
    assert "." in token_value and ApiToken.objects.get().public_id == token_value.split(".")[0]
    assert "never used" in limen("token-list", "cas:Pension Fund")
    assert "Revoked" in limen("token-revoke", "cas:Pension Fund", token_value.split(".")[0])
    assert "Pension Fund (cas:" in limen("list")
    assert "Removed" in limen("remove", "cas:Pension Fund")
    assert not AccessPolicy.objects.exists()
    events = set(AuditEvent.objects.values_list("event", flat=True))
    assert {"access.policy_saved", "access.validator_added", "access.token_created", "access.token_revoked",
            "access.policy_removed"} <= events


@pytest.mark.parametrize("args, message", [
    (("set", "cas:Nobody", "--fields", "[]"), "No CAS application is called 'Nobody'"),
    (("set", "Pension Fund", "--level", "MEDIUM"), "Say which fields the request asks for"),
    (("set", "Pension Fund", "--fields", "{"), "--fields is not valid JSON"),
    (("set", "Pension Fund", "--fields", '[{"name": "sub", "label": "x"}]'), "already sent to applications"),
    (("set", "Pension Fund", "--fields", '[{"name": "a", "label": "a"}]', "--level", "HIGH"),
     "BASIC or MEDIUM"),
    (("set", "Pension Fund", "--fields", '[{"name": "a", "label": "a"}]', "--slug", "Bad Slug"),
     "lower-case letters"),
    (("show", "Pension Fund"), "does not require access validation"),
])
def test_the_command_refuses_bad_input_and_changes_nothing(access_service, args, message):
    with pytest.raises(CommandError, match=message):
        limen(*args)
    assert not AccessPolicy.objects.exists()


def test_only_operators_become_validators(access_policy, make_user):
    person = make_user(email="not-staff@example.org")
    with pytest.raises(CommandError, match="Only operators"):
        limen("validator-add", "cas:Pension Fund", person.email)


def test_the_command_lists_requests_sends_codes_and_revokes(approved, outbox, signed_in_client):
    found, code = approved
    assert found.user.email in limen("requests", "cas:Pension Fund", "--status", "code_sent")
    assert "new code is on its way" in limen("resend-code", "cas:Pension Fund", found.user.email)
    assert "Revoked" in limen("revoke", "cas:Pension Fund", found.user.email, "--reason", "Duplicate account.")
    found.refresh_from_db()
    assert found.status == Status.REVOKED and "Duplicate account." in outbox.last(found.user.email).body


# -- the operators' site ------------------------------------------------------------------------------

@pytest.fixture
def admin_client(make_user):
    from django.test import Client

    from tests.support.pages import sign_in

    client = Client()
    operator = make_user(email="root@example.org", is_staff=True, is_superuser=True)
    sign_in(client, operator, expect=302)
    client.user = operator
    return client


def test_the_operators_site_adds_a_policy_with_fields_and_validators(admin_client, access_service, make_user):
    validator = make_user(email="v@example.org", is_staff=True)
    data = {
        "application": f"cas:{access_service.pk}", "slug": "", "level": "20", "intro": "", "acknowledgement": "Soon.",
        "enabled": "on",
        "fields-TOTAL_FORMS": "1", "fields-INITIAL_FORMS": "0", "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000", "fields-0-order": "0", "fields-0-name": "personnelNumber",
        "fields-0-label": '{"en": "Personnel number", "fr": "Numéro"}', "fields-0-kind": "identifier",
        "fields-0-required": "on", "fields-0-help": "", "fields-0-pattern": "[0-9]{8}", "fields-0-choices": "",
        "fields-0-max_length": "8", "fields-0-prefill": "", "fields-0-released": "on",
        "validators-TOTAL_FORMS": "1", "validators-INITIAL_FORMS": "0", "validators-MIN_NUM_FORMS": "0",
        "validators-MAX_NUM_FORMS": "1000", "validators-0-user": str(validator.pk),
    }
    response = admin_client.post("/admin/access/accesspolicy/add/", data)
    assert response.status_code == 302, response.content.decode()[:5000]
    policy = AccessPolicy.objects.get()
    assert (policy.protocol, policy.app_key, policy.slug) == ("cas", str(access_service.pk), "pension-fund")
    assert policy.fields.get().label == {"en": "Personnel number", "fr": "Numéro"}
    assert policies.validates(validator, policy)
    assert AuditEvent.objects.filter(event="access.policy_saved").exists()


def test_the_operators_site_refuses_a_bad_field_and_a_validator_who_is_not_an_operator(admin_client, access_service,
                                                                                      make_user):
    person = make_user(email="p@example.org")
    data = {
        "application": f"cas:{access_service.pk}", "slug": "", "level": "20", "enabled": "on",
        "fields-TOTAL_FORMS": "1", "fields-INITIAL_FORMS": "0", "fields-0-order": "0", "fields-0-name": "email",
        "fields-0-label": "E-mail", "fields-0-kind": "text", "fields-0-max_length": "50",
        "validators-TOTAL_FORMS": "1", "validators-INITIAL_FORMS": "0", "validators-0-user": str(person.pk),
    }
    response = admin_client.post("/admin/access/accesspolicy/add/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "already sent to applications" in html and "Only operators can validate requests" in html
    assert not AccessPolicy.objects.exists()


def test_the_operators_site_shows_a_new_token_once_and_revokes_access(admin_client, approved, signed_in_client):
    found, code = approved
    response = admin_client.post("/admin/access/apitoken/add/", {"policy": found.policy.pk, "name": "Payroll"},
                                 follow=True)
    token = ApiToken.objects.get()
    assert f"{token.public_id}." in response.content.decode()
    response = admin_client.post("/admin/access/accessrequest/", {
        "action": "revoke_access", "_selected_action": [found.pk]}, follow=True)
    assert "1 accesses revoked" in response.content.decode()
    assert AccessRequest.objects.get(pk=found.pk).status == Status.REVOKED


def test_my_account_lists_the_requests_with_their_dates(signed_in_client, approved):
    found, _code = approved
    html = signed_in_client.get("/account/").content.decode()
    assert "Access requests" in html and "Pension Fund: Validation code sent" in html
    html = signed_in_client.get("/account/access/").content.decode()
    assert "Validation code sent" in html and "Code valid until" in html and "Enter the code" in html
    assert found.code_expires.strftime("%-d %B %Y") in html
