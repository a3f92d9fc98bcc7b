"""The operators' site: who may use it, and the unlock/disable/enable actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from limen.accounts.models import User
from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core import clock
from limen.signin.models import SsoSession
from tests.signin.helpers import sign_in

from ..conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_user):
    return make_user(email="olive@example.org", is_staff=True, is_superuser=True, first_name="Olive",
                     last_name="Operator")


@pytest.fixture
def operator_client(operator):
    return sign_in(operator.email)


def test_admin_login_goes_through_limen_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fadmin%2F"
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response["Location"] == "/login/?next=%2Fadmin%2Faccounts%2Fuser%2F"


def test_admin_login_drops_an_offsite_next(client, operator):
    response = client.get("/admin/login/?next=https://evil.example/")
    client.get(response["Location"])
    client.post(response["Location"], {"email": operator.email})
    final = client.post("/login/password/?next=https://evil.example/", {"password": DEFAULT_PASSWORD})
    assert final.status_code == 302
    assert "evil" not in final["Location"]


def test_operator_signs_in_and_reaches_the_admin(client, operator):
    client.post("/login/?next=/admin/", {"email": operator.email, "next": "/admin/"})
    response = client.post("/login/password/?next=/admin/", {"password": DEFAULT_PASSWORD, "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/audit/auditevent/").status_code == 200


def test_non_staff_user_is_kept_out(signed_in_client):
    response = signed_in_client.get("/admin/", follow=True)
    # No redirect loop, and no admin page: an "operators only" page.
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1
    assert not any(t.name.startswith("admin/") for t in response.templates)
    response = signed_in_client.get("/admin/accounts/user/", follow=True)
    assert response.status_code == 403
    assert not any(t.name.startswith("admin/") for t in response.templates)


def test_non_staff_user_cannot_change_accounts_through_admin(signed_in_client, make_user):
    victim = make_user()
    signed_in_client.post("/admin/accounts/user/", {"action": "disable_accounts", "_selected_action": [victim.pk]})
    assert User.objects.get(pk=victim.pk).is_active


def _action(client, name, *users):
    return client.post("/admin/accounts/user/", {"action": name, "_selected_action": [u.pk for u in users]})


def test_unlock_action(operator_client, operator, make_user):
    user = make_user()
    User.objects.filter(pk=user.pk).update(locked_until=clock.now() + dt.timedelta(minutes=10), failed_signins=3)
    assert User.objects.get(pk=user.pk).is_locked
    response = _action(operator_client, "unlock_accounts", user)
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_locked and user.failed_signins == 0
    event = AuditEvent.objects.get(event=Event.UNLOCKED, user=user)
    assert event.data["operator"] == operator.email
    assert event.ip == "127.0.0.1"
    # The owner can sign in again at once.
    sign_in(user.email)


def test_disable_action_ends_sessions_and_refuses_sign_in(operator_client, operator, make_user):
    user = make_user()
    browser = sign_in(user.email)
    assert browser.get("/account/").status_code == 200
    response = _action(operator_client, "disable_accounts", user)
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert browser.get("/account/").status_code == 302
    assert not SsoSession.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(event=Event.DISABLED, user=user)
    assert event.data["operator"] == operator.email
    again = Client()
    again.post("/login/", {"email": user.email})
    response = again.post("/login/password/", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "This account has been disabled" in response.content.decode()
    assert AuditEvent.objects.filter(event=Event.SIGNIN_REFUSED_DISABLED, user=user).exists()


def test_operator_cannot_disable_themselves(operator_client, operator):
    _action(operator_client, "disable_accounts", operator)
    assert User.objects.get(pk=operator.pk).is_active
    assert not AuditEvent.objects.filter(event=Event.DISABLED).exists()


def test_enable_action(operator_client, operator, make_user):
    user = make_user(is_active=False)
    _action(operator_client, "enable_accounts", user)
    user.refresh_from_db()
    assert user.is_active
    assert AuditEvent.objects.get(event=Event.ENABLED, user=user).data["operator"] == operator.email
    sign_in(user.email)


def test_disable_through_the_change_form(operator_client, operator, make_user):
    user = make_user()
    browser = sign_in(user.email)
    url = f"/admin/accounts/user/{user.pk}/change/"
    form = operator_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update({"email": user.email, "first_name": user.first_name, "last_name": user.last_name,
                 "email_language": "en", "interface_language": ""})
    data.pop("is_active", None)  # unticked checkbox
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data = {k: v for k, v in data.items() if not isinstance(v, (list, tuple))}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = operator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not User.objects.get(pk=user.pk).is_active
    assert AuditEvent.objects.filter(event=Event.DISABLED, user=user).exists()
    assert browser.get("/account/").status_code == 302


def test_operators_cannot_add_or_edit_audit_events(operator_client):
    assert operator_client.get("/admin/audit/auditevent/add/").status_code == 403
    assert operator_client.get("/admin/accounts/user/add/").status_code == 403
