"""Development addresses of `limen run` and `limen demo` (limen.devaddress), and what the commands do with them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from limen import devaddress
from tests.support.limen_server import ROOT


def test_the_default_is_localhost():
    address = devaddress.parse(None)
    assert (address.host, address.port, address.url) == ("localhost", 8000, "http://localhost:8000")


@pytest.mark.parametrize(("text", "hostport"), [
    ("8010", "localhost:8010"), ("localhost:8010", "localhost:8010"), ("127.0.0.1:8010", "127.0.0.1:8010"),
    ("[::1]:8010", "[::1]:8010"), (":8010", "localhost:8010"), ("", "localhost:8001"),
])
def test_port_alone_or_host_and_port(text, hostport):
    assert devaddress.parse(text, default_port=8001).hostport == hostport


@pytest.mark.parametrize("text", ["localhost", "localhost:http", "localhost:0", "localhost:70000", "::1:8000",
                                  "[::1:8000"])
def test_not_an_address(text):
    with pytest.raises(devaddress.AddressError):
        devaddress.parse(text)


def _limen(*args: str, tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LIMEN_") and k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, "-m", "limen.cli", *args], capture_output=True, text=True, timeout=120,
                          env={**clean, "LIMEN_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT / "src"), **env})


def test_demo_refuses_an_address_where_security_keys_cannot_work(tmp_path):
    done = _limen("demo", "--address", "127.0.0.1:8000", tmp_path=tmp_path)
    assert done.returncode != 0
    assert "security keys and passkeys would not work" in done.stderr
    assert "127.0.0.1 is an IP address" in done.stderr
    assert "limen demo --address 8000" in done.stderr  # the fix, ready to copy
    assert "LIMEN_BASE_URL" not in done.stderr  # the person gave an address, not a variable
    assert not (tmp_path / "limen.sqlite3").exists()  # refused before anything was set up


def test_demo_refuses_a_base_url_set_to_such_an_address(tmp_path):
    done = _limen("demo", "--address", "8000", tmp_path=tmp_path, LIMEN_BASE_URL="http://127.0.0.1:8000")
    assert done.returncode != 0
    assert "LIMEN_BASE_URL is set to http://127.0.0.1:8000" in done.stderr and "unset LIMEN_BASE_URL" in done.stderr


@pytest.fixture
def taken_port():
    """A port something else listens on: runserver prints its banner, then stops ("already in use")."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_run_warns_at_such_an_address(tmp_path, taken_port):
    """`limen run` still starts (a developer may want another address), with the warning in its banner."""
    done = _limen("run", f"127.0.0.1:{taken_port}", "--noreload", tmp_path=tmp_path)
    assert f"! Security keys and passkeys will not work at http://127.0.0.1:{taken_port}" in done.stdout, done.stdout
    assert f"Use http://localhost:{taken_port} instead, e.g. limen run {taken_port}" in done.stdout


def test_run_at_the_default_host_has_no_warning(tmp_path, taken_port):
    done = _limen("run", str(taken_port), "--noreload", tmp_path=tmp_path)
    assert f"Limen is starting on http://localhost:{taken_port}" in done.stdout, done.stdout + done.stderr
    assert f"http://localhost:{taken_port}/" in done.stdout + done.stderr  # runserver's own line names it too
    assert "will not work" not in done.stdout
