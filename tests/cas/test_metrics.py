"""CAS tickets issued and validated, counted by kind and outcome (limen_cas_*)."""

from __future__ import annotations

from tests.ops.metrics_support import Delta

from .conftest import SERVICE

ISSUED, VALIDATED = "limen_cas_tickets_issued_total", "limen_cas_validations_total"


def test_a_ticket_issued_and_validated_once(client, cas_ticket):
    with Delta(ISSUED, kind="ST") as issued:
        ticket = cas_ticket()
    assert issued.value == 1
    with Delta(VALIDATED, outcome="success") as success, Delta(VALIDATED, outcome="INVALID_TICKET") as invalid:
        assert b"authenticationSuccess" in client.get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE}).content
        assert b"INVALID_TICKET" in client.get("/cas/serviceValidate", {"ticket": ticket, "service": SERVICE}).content
    assert (success.value, invalid.value) == (1, 1)


def test_a_ticket_presented_by_another_service(client, cas_ticket):
    ticket = cas_ticket()
    with Delta(VALIDATED, outcome="INVALID_SERVICE") as counted:
        client.get("/cas/p3/serviceValidate", {"ticket": ticket, "service": "https://elsewhere.example.org/"})
    assert counted.value == 1


def test_cas1_validation_is_counted_too(client, cas_ticket):
    ticket = cas_ticket()
    with Delta(VALIDATED, outcome="success") as counted:
        assert client.get("/cas/validate", {"ticket": ticket, "service": SERVICE}).content.startswith(b"yes")
    assert counted.value == 1
