"""The test helper that starts a real PostgreSQL: its URLs, over TCP and through the Unix socket, reach it."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import psycopg

from limen.core import config

from .pgserver import PostgresServer


def test_both_urls_reach_the_server_as_limen_reads_them():
    with PostgresServer(database="limen") as pg:
        seen = {}
        for socket in (False, True):
            settings = config.database(pg.url(socket=socket), Path("/nowhere"))
            with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
                                 dbname=settings["NAME"]) as connection:
                seen[socket] = connection.execute("SELECT current_database(), inet_server_addr()").fetchone()
        assert seen[False] == ("limen", ipaddress.ip_address("127.0.0.1"))
        assert seen[True] == ("limen", None)  # no address: a Unix socket
