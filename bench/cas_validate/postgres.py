"""The PostgreSQL side of the CAS benchmark: a private server, and the CPU its processes spend.

The server is the one the tests start (tests/support/pgserver.py: initdb and pg_ctl from the
Debian binaries, run as the ``postgres`` user when we are root), with durability set as an
operator would run it (fsync and full-page writes on) except ``synchronous_commit=off``, which is
what Limen's SQLite setting (WAL, ``synchronous=NORMAL``) also does: a commit does not wait for the
disk, a crash loses the last commits but never corrupts.

CPU is read from /proc, as for Limen's own processes, in two scopes:

- **backends**: the client backends serving Limen (``postgres: <user> <db> ...`` children of the
  postmaster, their database being the one Limen uses). Limen's connections are persistent but
  recycled after ``CONN_MAX_AGE`` (60 s), and a backend that exits takes its CPU counters with it:
  a sampler reads them every 0.2 s, so at most the last 0.2 s of an exiting backend go uncounted.
- **cluster**: every PostgreSQL process (the postmaster, its background writer, checkpointer, WAL
  writer, autovacuum, the backends), counting children that exited meanwhile through the
  postmaster's "children's time" (/proc stat fields cutime, cstime). Exact, but includes work not
  caused by the benchmark (idle housekeeping, a few ms a second).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from harness import cpu_seconds  # noqa: E402
from tests.support import pgserver  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
SETTINGS = {"fsync": "on", "full_page_writes": "on", "synchronous_commit": "off",
            "max_connections": "50", "shared_buffers": "128MB"}


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and int(fields[1]) == parent:
                found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


class Server:
    """``with Server() as pg:`` a running PostgreSQL; ``pg.url`` for LIMEN_DATABASE_URL.

    ``socket=True``: Limen connects through the server's Unix socket instead of TCP on 127.0.0.1.
    """

    def __init__(self, database: str = "limen", socket: bool = False):
        self.database, self.socket = database, socket
        self._server = pgserver.PostgresServer(database=database)

    def __enter__(self) -> "Server":
        saved = dict(pgserver.SERVER_SETTINGS)
        pgserver.SERVER_SETTINGS.update(SETTINGS)  # read by start() only
        try:
            self._server.__enter__()
        finally:
            pgserver.SERVER_SETTINGS.clear()
            pgserver.SERVER_SETTINGS.update(saved)
        self.url = self._server.url(socket=self.socket)
        self.version = self._server._run(["pg_ctl", "--version"], "pg_ctl --version").stdout.strip()
        self.postmaster = int((self._server.directory / "data" / "postmaster.pid").read_text().split()[0])
        return self

    def __exit__(self, *exc) -> None:
        self._server.__exit__(*exc)

    def backends(self) -> list[int]:
        """The client backends connected to our database (their title: postgres: user db host(port) state)."""
        return [pid for pid in _children(self.postmaster)
                if _cmdline(pid).split()[1:3] == ["postgres", self.database]]

    def cluster_seconds(self) -> float:
        """CPU of every PostgreSQL process so far, exited children included."""
        return cpu_seconds(self.postmaster, exited_children=True)


class BackendMeter:
    """CPU the backends serving Limen spend between start() and stop(), sampled every 0.2 s."""

    def __init__(self, server: Server, interval: float = 0.2):
        self.server, self.interval = server, interval
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self._stop = threading.Event()

    def _sample(self, initial: bool = False) -> None:
        for pid in self.server.backends():
            fields = _stat(pid)
            if fields:
                seconds = (int(fields[11]) + int(fields[12])) / TICK
                if initial:
                    self.first[pid] = seconds
                self.last[pid] = seconds

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def start(self) -> "BackendMeter":
        self._sample(initial=True)
        self.cluster_before = self.server.cluster_seconds()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        self._sample()
        # A backend born during the run counts from zero (its whole life is in the run).
        backends = sum(seconds - self.first.get(pid, 0.0) for pid, seconds in self.last.items())
        return {"backend_cpu_s": backends, "cluster_cpu_s": self.server.cluster_seconds() - self.cluster_before,
                "backend_pids": sorted(self.last)}
