"""Consuming a ticket in one statement (limen.cas.ticket_store): the same facts as the ORM, single use,
and the same answers on a database without RETURNING (racing validations: test_ticket_race_live.py)."""

import datetime as dt

import pytest
from django.db import connection

from limen.cas import ticket_ids, ticket_store, tickets
from limen.cas.errors import InvalidTicket
from limen.cas.models import ServiceTicket
from limen.core import clock, sql

from .conftest import SERVICE


def make_ticket(user, service, **fields) -> ServiceTicket:
    now = clock.now()
    values = {"ticket": ticket_ids.new("ST"), "service": service, "service_url": SERVICE, "user": user,
              "created": now, "expires": now + dt.timedelta(seconds=60), "auth_time": now - dt.timedelta(seconds=5),
              "strengths": ["PASSWORD", "PASSWORD_SMS"], "level": 20, "from_sso": True,
              "proxies": ["https://proxy.example.org/cb"], **fields}
    return ServiceTicket.objects.create(**values)


@pytest.fixture(params=["returning", "update-then-select"])
def statements(request, monkeypatch):
    """Both ways of consuming: with RETURNING (PostgreSQL, SQLite 3.35+) and without (older SQLite)."""
    if request.param == "update-then-select":
        if connection.vendor != "sqlite":
            pytest.skip("PostgreSQL always has RETURNING")
        monkeypatch.setattr(sql, "returning_supported", lambda connection: False)
    monkeypatch.setattr(ticket_store, "_for", sql.per_connection(ticket_store._Statements))
    return request.param


@pytest.mark.django_db
def test_the_consumed_ticket_says_what_the_orm_says(user, cas_service, statements):
    made = make_ticket(user, cas_service)
    now = clock.now()
    consumed = ticket_store.consume(made.ticket, now)
    st = ServiceTicket.objects.select_related("service", "user").get(pk=made.pk)
    assert st.consumed == now
    assert (consumed.id, consumed.service_url, consumed.expires, consumed.auth_time, consumed.strengths,
            consumed.level, consumed.from_sso, consumed.proxies, consumed.sso_session_id) == (
        st.id, st.service_url, st.expires, st.auth_time, st.strengths, st.level, st.from_sso, st.proxies,
        st.sso_session_id)
    assert consumed.expires.tzinfo is not None and not consumed.is_proxy
    service, person = consumed.service, consumed.user
    assert (service.id, service.enabled, service.level, service.attributes, service.response_layout) == (
        st.service.id, st.service.enabled, st.service.level, st.service.attributes, st.service.response_layout)
    assert (person.id, person.uid, person.email, person.first_name, person.last_name, person.interface_language,
            person.email_language, person.is_active) == (
        user.id, str(user.uid), user.email, user.first_name, user.last_name, user.interface_language,
        user.email_language, True)


@pytest.mark.django_db
def test_a_ticket_is_consumed_once_and_an_unknown_one_never(user, cas_service, statements):
    made = make_ticket(user, cas_service)
    assert ticket_store.consume("ST-unknown-ticket-0000000000", clock.now()) is None
    assert ticket_store.consume(made.ticket, clock.now()) is not None
    assert ticket_store.consume(made.ticket, clock.now()) is None


@pytest.mark.django_db
def test_a_disabled_account_or_service_is_refused_and_the_ticket_spent(user, cas_service, statements):
    made = make_ticket(user, cas_service)
    user.is_active = False
    user.save()
    with pytest.raises(InvalidTicket):
        tickets.validate(ticket=made.ticket, service_url=SERVICE, proxy_tickets=False)
    assert ServiceTicket.objects.get(pk=made.pk).consumed is not None


@pytest.mark.django_db
def test_the_ticket_says_whether_its_service_has_an_enabled_access_policy(user, cas_service, statements):
    """Only then does a validation look for validated details to release (limen.cas.attributes)."""
    from limen.access import policies
    from limen.cas import registry
    from limen.cas.access_link import ref

    def flag() -> bool:
        return ticket_store.consume(make_ticket(user, cas_service).ticket, clock.now()).service.access_policy

    fields = [{"name": "readerCard", "label": "Reader card", "type": "text"}]
    other, _ = registry.register(name="Library", url_pattern="https://library.example.org/", attributes="email")
    policies.configure(ref(other), level="BASIC", fields=fields)
    assert flag() is False  # another application's policy is not this one's
    policy, _ = policies.configure(ref(cas_service), level="BASIC", fields=fields)
    assert flag() is True
    policy.enabled = False
    policy.save()
    assert flag() is False
