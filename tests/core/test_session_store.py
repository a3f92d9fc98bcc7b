"""Limen's database sessions (limen.core.session_store) behave as Django's, in one statement each."""

import datetime as dt

import pytest
from django.contrib.sessions.backends import db as django_db
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from limen.core import session_store

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["limen", "django"])
def Store(request):
    """The same checks hold for Django's own backend, which Limen's must match."""
    return session_store.SessionStore if request.param == "limen" else django_db.SessionStore


def test_create_load_save_and_delete(Store):
    session = Store()
    session["who"] = "ada"
    session.save()
    key = session.session_key
    assert key and Session.objects.filter(session_key=key).exists()

    again = Store(session_key=key)
    assert again["who"] == "ada"
    again["who"] = "grace"
    again.save()
    assert Store(session_key=key)["who"] == "grace"

    again.delete()
    assert not Session.objects.filter(session_key=key).exists()
    gone = Store(session_key=key)
    assert gone.get("who") is None and gone.session_key is None


def test_an_expired_or_unknown_session_is_empty_and_forgets_its_key(Store):
    session = Store()
    session["who"] = "ada"
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1))
    expired = Store(session_key=session.session_key)
    assert expired.load() == {} and expired.session_key is None
    unknown = Store(session_key="x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_cycle_key_keeps_the_data_under_a_new_key_and_deletes_the_old_row(Store):
    session = Store()
    session["who"] = "ada"
    session.save()
    old = session.session_key
    session.cycle_key()
    assert session.session_key != old
    assert not Session.objects.filter(session_key=old).exists()
    assert Store(session_key=session.session_key)["who"] == "ada"


def test_saving_a_session_deleted_meanwhile_is_an_update_error(Store):
    session = Store()
    session["who"] = "ada"
    session.save()
    Session.objects.filter(session_key=session.session_key).delete()
    session["who"] = "grace"
    with pytest.raises(UpdateError):
        session.save()


def test_a_taken_key_is_a_create_error_and_create_draws_another(Store, monkeypatch):
    first = Store()
    first.save()
    taken = first.session_key
    second = Store()
    second._session_key = taken
    with pytest.raises(CreateError):
        second.save(must_create=True)
    assert Store(session_key=taken).session_key == taken  # the first one is untouched, still usable

    keys = iter([taken, "n" * 32])
    third = Store()
    monkeypatch.setattr(third, "_get_new_session_key", lambda: next(keys))
    third.create()
    assert third.session_key == "n" * 32


def test_each_operation_is_one_statement():
    session = session_store.SessionStore()
    session["who"] = "ada"
    with CaptureQueriesContext(connection) as created:
        session.save()
    with CaptureQueriesContext(connection) as loaded:
        assert session_store.SessionStore(session_key=session.session_key)["who"] == "ada"
    session["who"] = "grace"
    with CaptureQueriesContext(connection) as saved:
        session.save()
    with CaptureQueriesContext(connection) as cycled:
        session.cycle_key()

    def statements(captured):  # (the test runs in a transaction: the INSERT's savepoint is not counted)
        return [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]

    assert [len(statements(c)) for c in (created, loaded, saved, cycled)] == [1, 1, 1, 2], \
        [statements(c) for c in (created, loaded, saved, cycled)]


def test_new_keys_are_django_shaped_and_spread_over_every_character():
    from collections import Counter

    from django.contrib.sessions.backends.base import VALID_KEY_CHARS

    from limen.core.session_store import new_key

    keys = [new_key() for _ in range(2000)]
    assert all(len(key) == 32 and set(key) <= set(VALID_KEY_CHARS) for key in keys)
    assert len(set(keys)) == len(keys)
    for position in (0, 15, 31):  # each place takes every character, about equally (expected 55 each)
        counts = Counter(key[position] for key in keys)
        assert set(counts) == set(VALID_KEY_CHARS) and max(counts.values()) < 110, counts
