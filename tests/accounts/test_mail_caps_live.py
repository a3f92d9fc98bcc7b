"""The e-mail cap holds when requests race, on a real server (gunicorn, the database cache).

Twenty requests for a reset link to one address, each with its own solved
proof of work, are sent at the same moment from twenty connections; with a
cap of five, exactly five are answered "check your e-mail" and the others are
refused, and the SMTP server receives exactly five links.
"""

from __future__ import annotations

import threading

import pytest

from tests.support.limen_server import LimenServer
from tests.support.smtp import Mailbox

from .test_enumeration_timing_live import Visitor

REQUESTS, CAP = 20, 5


@pytest.fixture(scope="module")
def mailbox():
    with Mailbox() as box:
        yield box


@pytest.fixture(scope="module")
def server(mailbox):
    with LimenServer(name="caps", email_url=mailbox.url, threads=8,
                     env={"LIMEN_EMAIL_CAP_PER_ADDRESS": str(CAP)}) as running:
        yield running


def test_racing_requests_do_not_pass_the_cap(server, mailbox):
    email = "racing@example.org"
    visitor = Visitor(server)
    visitor.post("/register/", {"first_name": "Rae", "last_name": "Cing", "email": email,
                                "email_confirm": email, "email_language": "en", "privacy": "on"})
    mailbox.wait_for(email, subject="Choose your")  # registering used one of the five
    visitors = [Visitor(server) for _ in range(REQUESTS)]
    forms = [v.form("/password/lost/") for v in visitors]  # each with its own proof of work
    start, results = threading.Barrier(REQUESTS), [None] * REQUESTS

    def send(index: int) -> None:
        start.wait()
        status, page, _, _ = visitors[index].request("POST", "/password/lost/", {**forms[index], "email": email})
        results[index] = (status, "Check your e-mail" in page)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    accepted = [r for r in results if r == (200, True)]
    refused = [r for r in results if r == (429, False)]
    assert len(accepted) == CAP - 1 and len(refused) == REQUESTS - CAP + 1, results
    links = [mailbox.wait_for(email, subject="Choose a new", timeout=30) for _ in accepted]
    assert len(links) == CAP - 1
    mailbox.assert_nothing_new_for(email, within=2)
