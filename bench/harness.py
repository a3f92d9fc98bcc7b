"""Shared pieces of the benchmark harnesses (bench/cas_validate, bench/oidc):
free ports, waiting for a server, CPU seconds of a process tree, medians, the CPU model, the floor."""

from __future__ import annotations

import os
import platform
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def process_tree(pid: int) -> list[int]:
    """pid and all its descendants (gunicorn's master and workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_times(pid: int, *, exited_children: bool = False) -> tuple[float, float]:
    """User and system CPU time used so far by a process tree (all threads of each process). With
    ``exited_children``, also what the root's children that exited meanwhile had used (its cutime and
    cstime: a server's forks, PostgreSQL's backends or redis-server's rewrite of its append-only file)."""
    user = system = 0
    for each in process_tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        user, system = user + int(fields[11]), system + int(fields[12])  # utime, stime
        if exited_children and each == pid:
            user, system = user + int(fields[13]), system + int(fields[14])  # cutime, cstime
    tick = os.sysconf("SC_CLK_TCK")
    return user / tick, system / tick


def cpu_seconds(pid: int, *, exited_children: bool = False) -> float:
    """User + system CPU time of a process tree (``cpu_times``)."""
    return sum(cpu_times(pid, exited_children=exited_children))


def handed_over(process: subprocess.Popen, flag: str, at_mark: Callable[[str], None]) -> int:
    """Follows an ``inprocess.py`` run with ``BENCH_CALLGRIND=flag`` in its environment: at each of its marks
    ("start", "stop": the measured requests begin, have ended) calls ``at_mark`` and then lets it go on.
    Returns how many requests were measured (0 if it never said)."""
    measured = 0
    for line in process.stdout:
        where, _, number = line.strip().partition(" ")
        if where in ("start", "stop") and number.isdigit():
            at_mark(where)
            measured = int(number) or measured
            Path(f"{flag}.{where}").touch()
    return measured


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def base_python() -> str:
    """The interpreter this process's virtual environment was made from (its real path)."""
    return os.path.realpath(sys._base_executable)


def interpreter(python: str | Path | None = None) -> str:
    """The Python that runs Limen's servers (this one, or the virtual environment's ``python``): its version and
    the interpreter the environment was made from. Its build matters: an optimized one (PGO and LTO:
    distributions' python3, the official container images) runs Python code with about a tenth fewer
    instructions than pyenv's default build (*The interpreter's build*, bench/README.md)."""
    if python is not None and Path(python).absolute() != Path(sys.executable).absolute():
        return subprocess.run([str(python), str(Path(__file__)), "--interpreter"], capture_output=True, text=True,
                              check=True).stdout.strip()
    return f"Python {platform.python_version()} ({base_python()})"


# The floor: a request that does no view work, answered by the same server with the same settings. The
# OpenID Connect discovery document is built once per process, so a GET of it is the whole stack
# (the server, Django's middleware, the URL resolver, the access line, the metrics) and nothing else.
FLOOR_PATH = "/.well-known/openid-configuration"


def floor(base: str, cpu: Callable[[], float], *, seconds: float, connections: int, cores: str) -> dict:
    """GETs of FLOOR_PATH on ``base`` for ``seconds`` with wrk; per CPU-second as ``cpu()`` counts it (the
    server's processes). A request answered with an error (4xx, 5xx) counts in ``bad``, not in ``ok``."""
    before = cpu()
    out = subprocess.run(
        [*(["taskset", "-c", cores] if cores else []), "wrk", "-t", "1", "-c", str(connections),
         "-d", f"{max(1, round(seconds))}s", "--timeout", "10s", base + FLOOR_PATH],
        capture_output=True, text=True, check=True).stdout
    spent = cpu() - before
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", out)
    if not done:
        raise RuntimeError(out)
    elapsed = float(done.group(2)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[done.group(3)]
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    ok = int(done.group(1)) - bad
    return {"ok": ok, "bad": bad, "errors": errors, "server_cpu_s": spent,
            "per_cpu_second": ok / spent if spent else 0.0, "per_second": ok / elapsed if elapsed else 0.0}


if __name__ == "__main__":  # interpreter() of another environment asks it here
    if sys.argv[1:] == ["--interpreter"]:
        print(interpreter())
