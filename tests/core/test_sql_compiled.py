"""limen.core.sql's statements compiled once give what the querysets give, and refuse what they cannot."""

import pytest

from limen.accounts import rows
from limen.accounts.models import User
from limen.core import sql
from limen.signin.models import SsoSession

pytestmark = pytest.mark.django_db


def make(email, **extra):
    return User.objects.create_user(email, "pw-" + "x" * 12, first_name="A", last_name="B", **extra)


def test_exists_and_select_follow_their_querysets():
    ada, grace = make("ada@example.org"), make("grace@example.org", is_active=False)
    active = sql.Exists(lambda pk: User.objects.filter(pk=pk, is_active=True))
    assert active(ada.pk) and not active(grace.pk) and not active(-1)
    by_name = sql.Select(lambda name: User.objects.filter(first_name=name).order_by("pk"))
    found = by_name("A")
    assert found == list(User.objects.filter(first_name="A").order_by("pk"))
    assert [u.email for u in found] == ["ada@example.org", "grace@example.org"]
    assert found[0].date_joined == User.objects.get(pk=ada.pk).date_joined  # converted as the ORM does
    assert by_name.first("nobody") is None
    anyone = sql.Exists(lambda: User.objects.filter(is_staff=True))
    assert not anyone()


def test_a_marker_the_lookup_rewrites_is_refused():
    with pytest.raises(ValueError):
        sql.Exists(lambda pk: User.objects.filter(email__icontains=pk))(1)


def test_select_refuses_related_rows():
    with pytest.raises(ValueError):
        sql.Select(lambda key: SsoSession.objects.filter(session_key=key).select_related("user"))("k")


def test_the_account_by_address_matches_what_iexact_matches():
    ada = make("Ada.Lovelace@example.org")
    for typed in ("ada.lovelace@EXAMPLE.org", "  ADA.LOVELACE@example.org ", "Ada.Lovelace@example.org"):
        assert rows.by_email(typed) == ada == User.objects.filter(email__iexact=typed.strip()).first()
    for other in ("ada_lovelace@example.org", "ada%lovelace@example.org", "ada.lovelace@example.or"):
        assert rows.by_email(other) is None  # LIKE's wildcards are escaped, as the ORM does
    assert rows.by_id(ada.pk) == ada and rows.by_id(-1) is None


def test_create_writes_the_row_the_orm_would():
    ada = make("ada@example.org")
    import datetime as dt

    from limen.core import clock

    now = clock.now()
    row = sql.create(SsoSession(session_key="k" * 32, user=ada, created=now, last_seen=now,
                                expires=now + dt.timedelta(hours=1), ip="127.0.0.1", user_agent="x",
                                strengths=["PASSWORD"], level=10))
    stored = SsoSession.objects.get(pk=row.pk)
    assert (stored.session_key, stored.user_id, stored.strengths, stored.expires) == \
        ("k" * 32, ada.pk, ["PASSWORD"], row.expires)
