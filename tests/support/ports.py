"""Ports for the servers a test starts, never the same one twice across the test processes of a run.

A port is chosen now and bound later: a `limen serve` binds its port only after its migrate, seconds
after it was chosen. Asking the kernel for "any free port" (bind to port 0) left two holes:
- another xdist worker was given the same port in that window, and its server bound it first (once in
  CI a Limen instance's health check was answered by the other worker's SMTP server);
- that port is in the kernel's range for outgoing connections, so any client socket could take it.

So ports come from below that range, where no outgoing connection goes, and every port handed out is
written down, under a file lock, in a register that the test processes of one user share. A port stays
taken for ``HOLD`` seconds, far longer than any server takes to bind it; once bound, nobody else can
bind it anyway.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import socket
import tempfile
import time
from pathlib import Path

HOLD = 15 * 60
# One per user: a register left by another user (root, once) could not be opened for writing.
REGISTER = Path(tempfile.gettempdir()) / f"limen-test-ports-{os.getuid()}.json"
LOWEST = 20000


def _outgoing_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def _candidates() -> range:
    """Ports no outgoing connection uses: below the kernel's range if there is room, else above it; if the
    range leaves no room (1024-65535), any unprivileged port (the register still keeps the processes apart)."""
    low, high = _outgoing_range()
    if low - LOWEST >= 1000:
        return range(LOWEST, low)
    if 65535 - high >= 1000:
        return range(high + 1, 65536)
    return range(1024, 65536)


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _read(handle) -> dict[str, float]:
    handle.seek(0)
    try:
        taken = json.loads(handle.read() or "{}")
    except ValueError:  # a register cut short by a killed process: start a new one
        return {}
    return taken if isinstance(taken, dict) else {}


def free_port(*, register: Path = REGISTER, clock=time.time) -> int:
    """A port on 127.0.0.1 that nothing listens on and that no test process was given in the last ``HOLD`` s."""
    pool = _candidates()
    with open(os.open(register, os.O_RDWR | os.O_CREAT, 0o600), "r+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
        now = clock()
        taken = {port: at for port, at in _read(handle).items() if now - at < HOLD}
        for _ in range(200):
            port = random.choice(pool)
            if str(port) not in taken and _bindable(port):
                taken[str(port)] = now
                handle.seek(0)
                handle.truncate()
                handle.write(json.dumps(taken))
                return port
    raise RuntimeError(f"no free port found in {pool.start}-{pool.stop - 1} after 200 tries")
