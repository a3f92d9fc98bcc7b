"""The live tests' Browser (tests/oidc/live.py) against a server that ends a kept-alive connection just as
the next request arrives, as `limen serve` may after its 2 s keep-alive: a GET is sent again on a new
connection, as a browser does; a POST is not (it may have been acted on)."""

from __future__ import annotations

import socket
import struct
import threading

import pytest
import requests

from tests.oidc.live import Browser

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"


class ResettingServer:
    """Answers the first request of each connection, then resets the connection (RST) when the second
    one arrives on it: the second request gets no answer there."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._connection, args=(client,), daemon=True).start()

    @staticmethod
    def _connection(client: socket.socket) -> None:
        with client:
            _read_request(client)
            client.sendall(ANSWER)
            _read_request(client)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST

    def close(self) -> None:
        self.sock.close()


def _read_request(client: socket.socket) -> None:
    seen = b""
    while b"\r\n\r\n" not in seen:
        chunk = client.recv(4096)
        if not chunk:
            return
        seen += chunk


@pytest.fixture
def server():
    server = ResettingServer()
    yield server
    server.close()


def test_a_get_on_a_connection_reset_by_the_server_is_sent_again(server):
    browser = Browser()
    url = f"http://127.0.0.1:{server.port}/page"
    assert browser.get(url).text == "ok"
    assert browser.get(url).text == "ok"  # the kept-alive connection is reset; a new one answers
    assert server.connections == 2


def test_a_post_on_a_connection_reset_by_the_server_is_not_sent_again(server):
    browser = Browser()
    url = f"http://127.0.0.1:{server.port}/form"
    assert browser.get(url).text == "ok"
    with pytest.raises(requests.ConnectionError):
        browser.session.post(url, data={"a": "1"}, timeout=10)
    assert server.connections == 1
