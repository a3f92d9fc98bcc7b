"""policy_of: the enabled policy of one application, read by a statement written once (the hot paths)."""

from __future__ import annotations

from django.forms.models import model_to_dict

from limen.access import policies
from limen.access.models import AccessPolicy
from limen.cas.access_link import ref


def test_the_enabled_policy_comes_back_as_the_orm_gives_it(access_policy, other_policy, access_service):
    found = policies.policy_of(ref(access_service))
    stored = AccessPolicy.objects.get(pk=access_policy.pk)
    assert isinstance(found, AccessPolicy) and found.pk == access_policy.pk
    assert model_to_dict(found) == model_to_dict(stored)
    assert (found.created, found.updated) == (stored.created, stored.updated)  # aware datetimes, as the ORM
    assert found._state.adding is False and found._state.db == "default"
    assert [spec.name for spec in policies.fields_of(found)][:1] == ["personnelNumber"]


def test_an_application_without_a_policy_has_none(access_policy, other_service):
    assert policies.policy_of(ref(other_service)) is None


def test_a_disabled_policy_counts_only_when_asked_for(access_policy, access_service):
    AccessPolicy.objects.filter(pk=access_policy.pk).update(enabled=False)
    assert policies.policy_of(ref(access_service)) is None
    assert policies.policy_of(ref(access_service), enabled_only=False).pk == access_policy.pk


def test_the_key_is_compared_as_text(access_policy, access_service):
    app = ref(access_service)
    assert policies.policy_of(type(app)(app.protocol, str(app.key), app.name)).pk == access_policy.pk
    assert policies.policy_of(type(app)("oidc", str(app.key), app.name)) is None
