

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.audit.retention import purge_older_than
from limen.audit.service import record
from limen.core import clock


def test_purge_removes_only_old_events_and_is_itself_audited(db):
    record(Event.SIGNIN_FAILED, email="old@example.org")
    clock.advance(days=100)
    record(Event.SIGNIN_FAILED, email="new@example.org")
    assert purge_older_than(90, operator="test") == 1
    emails = list(AuditEvent.objects.values_list("email", flat=True))
    assert "old@example.org" not in emails and "new@example.org" in emails
    assert AuditEvent.objects.filter(event=Event.AUDIT_PURGED).count() == 1


def test_purge_refuses_short_retention(db):
    with pytest.raises(ValueError):
        purge_older_than(7)
    with pytest.raises(CommandError):
        call_command("audit_purge", "--older-than-days", "7", "--yes")


def test_deletion_outside_a_purge_is_still_refused(db):
    record(Event.SIGNIN_FAILED, email="x@example.org")
    with pytest.raises(Exception), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_can_flush_the_database():
    record(Event.SIGNIN_FAILED, email="flush@example.org")
    assert AuditEvent.objects.filter(email="flush@example.org").exists()


def test_after_a_transactional_test_the_triggers_are_back(db):
    record(Event.SIGNIN_FAILED, email="y@example.org")
    with pytest.raises(Exception), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")

