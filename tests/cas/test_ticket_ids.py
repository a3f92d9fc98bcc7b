"""Ticket identifiers use only the characters of CAS 3.0 §3.7 (A-Z a-z 0-9 -), with enough randomness.

URL-safe base64 puts '_' into about 36% of 28-character tickets, which clients
such as the Apereo Java client refuse; a few hundred tickets show it at once.
"""

from __future__ import annotations

import math
import re
import string
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from limen.cas import ticket_ids

from .conftest import SERVICE, cas_login_url, ticket_from

NS = {"cas": "http://www.yale.edu/tp/cas"}
CAS_CHARACTERS = re.compile(r"^[A-Za-z0-9-]+$")
BACKEND = "https://backend.example.org/api/"


def assert_cas_tickets(tickets: list[str], prefix: str) -> None:
    outside = [t for t in tickets if not CAS_CHARACTERS.fullmatch(t)]
    assert not outside, f"{len(outside)} of {len(tickets)} have characters outside A-Z a-z 0-9 -: {outside[:3]}"
    for ticket in tickets:
        assert ticket.startswith(prefix + "-"), ticket
        random_part = ticket[len(prefix) + 1:]
        assert "-" not in random_part and len(random_part) * math.log2(62) >= 168, ticket


@pytest.mark.parametrize("prefix", ["ST", "PT", "PGT", "PGTIOU"])
def test_many_identifiers_use_only_letters_digits_and_the_prefix_hyphen(prefix):
    drawn = [ticket_ids.new(prefix) for _ in range(3000)]
    assert_cas_tickets(drawn, prefix)
    assert len(set(drawn)) == len(drawn)
    # Every one of the 62 characters turns up, none much more often than the others (uniform draw).
    counts = Counter("".join(t[len(prefix) + 1:] for t in drawn))
    assert set(counts) == set(string.ascii_letters + string.digits)
    expected = 3000 * ticket_ids.LENGTH / 62
    assert all(0.8 * expected < n < 1.2 * expected for n in counts.values()), counts


def test_service_tickets_fit_the_length_every_client_accepts():
    assert len(ticket_ids.new("ST")) == 32 and len(ticket_ids.new("PT")) == 32
    assert ticket_ids.BITS >= 168


def test_an_unknown_prefix_is_a_programming_error():
    with pytest.raises(ValueError):
        ticket_ids.new("TGT")


def test_tickets_issued_by_the_server_use_only_cas_characters(client, cas_ticket, cas_service, cas_callback_receiver,
                                                             settings):
    """Service tickets from /cas/login, PGTs and PGT IOUs from validation, proxy tickets from /cas/proxy."""
    from limen.cas import registry

    settings.CAS_TICKET_SECONDS = 300  # hundreds of tickets take a while on a busy machine

    cas_service.proxy_callback_pattern = cas_callback_receiver.url
    cas_service.save()
    registry.register(name="Backend", url_pattern=BACKEND, attributes="email")
    cas_ticket()  # signed in: the next tickets come from the single sign-on session

    service_tickets = [ticket_from(client.get(cas_login_url(SERVICE + f"{n}/"))) for n in range(150)]
    assert_cas_tickets(service_tickets, "ST")

    ious = []
    for n, ticket in enumerate(service_tickets[:120]):
        response = client.get("/cas/serviceValidate", {
            "ticket": ticket, "service": SERVICE + f"{n}/", "pgtUrl": cas_callback_receiver.url})
        iou = ET.fromstring(response.content).find("cas:authenticationSuccess/cas:proxyGrantingTicket", NS)
        assert iou is not None, response.content
        ious.append(iou.text)
    assert_cas_tickets(ious, "PGTIOU")
    assert_cas_tickets([cas_callback_receiver.received[iou] for iou in ious], "PGT")

    pgt = cas_callback_receiver.received[ious[0]]
    proxy_tickets = [ET.fromstring(client.get("/cas/proxy", {"pgt": pgt, "targetService": BACKEND}).content)
                     .find("cas:proxySuccess/cas:proxyTicket", NS).text for _ in range(150)]
    assert_cas_tickets(proxy_tickets, "PT")
    assert len(set(service_tickets + proxy_tickets + ious)) == 150 + 150 + 120
