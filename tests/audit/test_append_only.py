"""Audit events cannot be changed or removed: not by the model, not by raw SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from limen.audit.events import Event
from limen.audit.models import AppendOnlyError, AuditEvent
from limen.audit.service import record

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def event(user):
    return record(Event.SIGNIN_SUCCEEDED, user=user, strengths=["PASSWORD"])


def _unchanged(event):
    fresh = AuditEvent.objects.get(pk=event.pk)
    assert fresh.event == Event.SIGNIN_SUCCEEDED
    assert fresh.email == event.email
    assert fresh.data == {"strengths": ["PASSWORD"]}


def test_model_save_of_an_existing_row_refused(event):
    event.event = Event.SIGNED_OUT
    with pytest.raises(AppendOnlyError):
        event.save()
    _unchanged(event)


def test_model_delete_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    _unchanged(event)


def test_queryset_update_refused_by_the_database(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(email="someone@else.example")
    _unchanged(event)


def test_queryset_delete_refused_by_the_database(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    _unchanged(event)


def test_raw_sql_update_refused(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET email = %s WHERE id = %s", ["forged@example.org", event.pk])
    _unchanged(event)


def test_raw_sql_delete_refused(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
    _unchanged(event)


def test_raw_sql_delete_all_refused(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
    assert AuditEvent.objects.count() == 1


def test_inserting_is_still_allowed(event, user):
    record(Event.SIGNED_OUT, user=user)
    assert AuditEvent.objects.count() == 2


def test_triggers_exist_on_this_database():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                           [TABLE])
        else:  # pragma: no cover
            pytest.skip(f"no triggers defined for {connection.vendor}")
        names = {row[0] for row in cursor.fetchall()}
    assert names, "no append-only trigger on the audit table"


def test_admin_offers_no_change_or_delete(make_user, client):
    operator = make_user(is_staff=True, is_superuser=True)
    client.post("/login/", {"email": operator.email})
    from ..conftest import DEFAULT_PASSWORD

    client.post("/login/password/", {"password": DEFAULT_PASSWORD})
    entry = record(Event.SIGNED_OUT, user=operator)
    assert client.get(f"/admin/audit/auditevent/{entry.pk}/delete/").status_code == 403
    response = client.post(f"/admin/audit/auditevent/{entry.pk}/change/", {"email": "forged@example.org"})
    assert response.status_code in (403, 200)
    assert AuditEvent.objects.get(pk=entry.pk).email == operator.email
