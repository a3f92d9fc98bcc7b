"""Racing validations accept a service ticket once, on a real server (gunicorn, two workers of four
threads) whose database is of the run's kind: SQLite (UPDATE ... RETURNING), or PostgreSQL in the
PostgreSQL run (UPDATE ... FROM ... RETURNING)."""

from __future__ import annotations

import threading

import pytest
import requests

from tests.support.limen_server import LimenServer, same_database_kind

SERVICE = "https://app.example.org/"
RACERS, TICKETS = 8, 5


@pytest.fixture(scope="module")
def server():
    with LimenServer(name="ticket-race", email_url="console:", database_url=same_database_kind("ticketrace")) \
            as running:
        yield running


def test_racing_validations_accept_each_ticket_once(server):
    tickets = server_tickets(server)
    for ticket in tickets:
        start, answers = threading.Barrier(RACERS), []

        def validate():
            session = requests.Session()
            start.wait()
            answers.append(session.get(f"{server.url}/cas/p3/serviceValidate",
                                       params={"service": SERVICE, "ticket": ticket}, timeout=60).text)

        threads = [threading.Thread(target=validate) for _ in range(RACERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        accepted = [a for a in answers if "authenticationSuccess" in a]
        refused = [a for a in answers if 'code="INVALID_TICKET"' in a]
        assert (len(accepted), len(refused)) == (1, RACERS - 1), answers


def server_tickets(server) -> list[str]:
    return server.python(f"""
import datetime as dt
from limen.accounts.models import User
from limen.cas import registry, ticket_ids
from limen.cas.models import ServiceTicket
from limen.core import clock
user = User.objects.create_user("racer@example.org", None, email_verified=True)
service, _ = registry.register(name="App", url_pattern={SERVICE!r}, attributes="all")
now = clock.now()
result = [ServiceTicket.objects.create(ticket=ticket_ids.new("ST"), service=service, service_url={SERVICE!r},
          user=user, created=now, expires=now + dt.timedelta(minutes=5), auth_time=now, strengths=["PASSWORD"],
          level=10).ticket for _ in range({TICKETS})]
""")
