"""Ticket identifiers use only the characters of CAS 3.0 §3.7 (A-Z a-z 0-9 -), with enough randomness.

URL-safe base64 puts '_' into about 36% of 28-character tickets, which clients
such as the Apereo Java client refuse; a few hundred tickets show it at once.
"""

from __future__ import annotations

import http.server
import math
import re
import string
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from urllib.parse import parse_qs, urlsplit

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


class CallbackReceiver(http.server.ThreadingHTTPServer):
    """An application's proxy callback on 127.0.0.1 (http is allowed for localhost in development)."""

    def __init__(self):
        self.received: dict[str, str] = {}  # pgtIou -> pgtId
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                if "pgtIou" in query:
                    receiver.received[query["pgtIou"]] = query["pgtId"]
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_port}/pgt"
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture
def callback_receiver(settings):
    settings.CAS_ALLOW_HTTP_LOCALHOST_CALLBACK = True
    receiver = CallbackReceiver()
    yield receiver
    receiver.shutdown()


def test_tickets_issued_by_the_server_use_only_cas_characters(client, cas_ticket, cas_service, callback_receiver):
    """Service tickets from /cas/login, PGTs and PGT IOUs from validation, proxy tickets from /cas/proxy."""
    from limen.cas import registry

    cas_service.proxy_callback_pattern = callback_receiver.url
    cas_service.save()
    registry.register(name="Backend", url_pattern=BACKEND, attributes="email")
    cas_ticket()  # signed in: the next tickets come from the single sign-on session

    service_tickets = [ticket_from(client.get(cas_login_url(SERVICE + f"{n}/"))) for n in range(150)]
    assert_cas_tickets(service_tickets, "ST")

    ious = []
    for n, ticket in enumerate(service_tickets[:120]):
        answer = ET.fromstring(client.get("/cas/serviceValidate", {
            "ticket": ticket, "service": SERVICE + f"{n}/", "pgtUrl": callback_receiver.url}).content)
        ious.append(answer.find("cas:authenticationSuccess/cas:proxyGrantingTicket", NS).text)
    assert_cas_tickets(ious, "PGTIOU")
    assert_cas_tickets([callback_receiver.received[iou] for iou in ious], "PGT")

    pgt = callback_receiver.received[ious[0]]
    proxy_tickets = [ET.fromstring(client.get("/cas/proxy", {"pgt": pgt, "targetService": BACKEND}).content)
                     .find("cas:proxySuccess/cas:proxyTicket", NS).text for _ in range(150)]
    assert_cas_tickets(proxy_tickets, "PT")
    assert len(set(service_tickets + proxy_tickets + ious)) == 150 + 150 + 120
