"""The test helper that hands out ports: never one twice across processes, never one in use."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from . import ports
from .ports import free_port


def test_processes_asking_at_the_same_time_never_get_the_same_port(tmp_path):
    register = tmp_path / "register.json"
    ask = ("import sys; from tests.support.ports import free_port; from pathlib import Path; "
           "print(' '.join(str(free_port(register=Path(sys.argv[1]))) for _ in range(150)))")
    children = [subprocess.Popen([sys.executable, "-c", ask, str(register)], stdout=subprocess.PIPE, text=True)
                for _ in range(4)]
    given = [int(port) for child in children for port in child.communicate(timeout=60)[0].split()]
    assert all(child.returncode == 0 for child in children)
    assert len(given) == 600 and len(set(given)) == 600
    assert set(json.loads(register.read_text())) == {str(port) for port in given}


def test_ports_are_outside_the_range_of_outgoing_connections(tmp_path):
    low, high = ports._outgoing_range()
    given = [free_port(register=tmp_path / "r.json") for _ in range(50)]
    assert all(not low <= port <= high for port in given)


@pytest.mark.parametrize("outgoing, expected", [((32768, 60999), range(20000, 32768)),
                                                ((10000, 40000), range(40001, 65536)),
                                                ((1024, 65535), range(1024, 65536))])
def test_ports_come_from_where_outgoing_connections_do_not_go(monkeypatch, outgoing, expected):
    monkeypatch.setattr(ports, "_outgoing_range", lambda: outgoing)
    assert ports._candidates() == expected


def test_a_port_something_listens_on_is_not_given(tmp_path, monkeypatch):
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", free_port(register=tmp_path / "r.json")))
        listening.listen()
        busy = listening.getsockname()[1]
        monkeypatch.setattr(ports, "_candidates", lambda: range(busy, busy + 2))
        assert free_port(register=tmp_path / "other.json") == busy + 1


def test_a_port_is_given_again_only_once_its_hold_is_over(tmp_path, monkeypatch):
    register, now = tmp_path / "r.json", [1000.0]
    port = free_port(register=register, clock=lambda: now[0])
    monkeypatch.setattr(ports, "_candidates", lambda: range(port, port + 1))
    try:
        free_port(register=register, clock=lambda: now[0] + ports.HOLD - 1)
    except RuntimeError as error:
        assert "no free port" in str(error)
    else:
        raise AssertionError("a held port was given again")
    assert free_port(register=register, clock=lambda: now[0] + ports.HOLD + 1) == port


def test_a_register_cut_short_is_started_again(tmp_path):
    register = tmp_path / "r.json"
    register.write_text('{"2100')  # what a process killed while writing leaves
    port = free_port(register=register)
    assert list(json.loads(register.read_text())) == [str(port)]
