"""A code exchange and the floor, on the server and in process, side by side: what the server adds around
the view, in user and system time (bench/README.md, *A code exchange on the server and in process*).

    .venv/bin/python bench/oidc/around.py [--rounds 3] [--seconds 8] [--connections 4] [-n 1500]

Each round, in turn: a `limen serve` (one worker, one thread, SQLite; pinned to the server core, wrk on the
other) spends codes from its authorization endpoint for ``--seconds``, then answers the floor (the discovery
document) for 5 s; then `inprocess.py token` and `inprocess.py floor` run in a process of their own. User and
system time are read from /proc for the server's processes, and around the measured requests in process
(inprocess.py says where they start and end, as for instructions.py). Also the server's thread switches per
exchange, voluntary and not. Medians and ranges over the rounds.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import run  # noqa: E402
from harness import cpu_times, handed_over, process_tree  # noqa: E402


def switches(pids: list[int]) -> tuple[int, int]:
    """Thread switches so far of these processes' threads: voluntary, and by the scheduler."""
    voluntary = forced = 0
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").iterdir():
            status = (task / "status").read_text()
            voluntary += int(re.search(r"^voluntary_ctxt_switches:\s+(\d+)", status, re.M).group(1))
            forced += int(re.search(r"^nonvoluntary_ctxt_switches:\s+(\d+)", status, re.M).group(1))
    return voluntary, forced


def on_server(server: run.Limen, args) -> dict[str, tuple[float, ...]]:
    pid, pids = server.process.pid, process_tree(server.process.pid)
    codes, _ = run.harvest(server, "codes", need=int(args.seconds * 800), seconds=args.seconds * 1.5,
                           connections=4, cores=args.load_core)
    before, switched = cpu_times(pid), switches(pids)
    done = run.token_run(server, codes, seconds=args.seconds, connections=args.connections, cores=args.load_core)
    after, switched_after = cpu_times(pid), switches(pids)
    n = done["ok"]
    found = {"exchange": tuple((a - b) / n * 1e3 for a, b in zip(after, before)),
             "switches": tuple((a - b) / n for a, b in zip(switched_after, switched))}
    before = cpu_times(pid)
    out = subprocess.run(["taskset", "-c", args.load_core, "wrk", "-t", "1", "-c", str(args.connections), "-d", "5s",
                          server.base + "/.well-known/openid-configuration"], capture_output=True, text=True,
                         check=True).stdout
    after, n = cpu_times(pid), int(re.search(r"(\d+) requests in", out).group(1))
    found["floor"] = tuple((a - b) / n * 1e3 for a, b in zip(after, before))
    return found


def in_process(path: str, n: int) -> tuple[float, float]:
    """User and system ms per request of inprocess.py's ``path``, around its measured requests only."""
    with tempfile.TemporaryDirectory(prefix="around-") as work:
        flag = os.path.join(work, "flag")
        process = subprocess.Popen([sys.executable, str(HERE.parent / "inprocess.py"), path, "-n", str(n)],
                                   env={**os.environ, "BENCH_CALLGRIND": flag}, stdout=subprocess.PIPE, text=True,
                                   cwd=HERE.parent.parent)
        marks: dict[str, tuple[float, float]] = {}

        def mark(where: str) -> None:
            marks[where] = cpu_times(process.pid)

        measured = handed_over(process, flag, mark)
        if process.wait() or len(marks) != 2 or not measured:
            raise RuntimeError(f"inprocess.py {path} failed")
    return tuple((a - b) / measured * 1e3 for a, b in zip(marks["stop"], marks["start"]))


def show(label: str, values: list[tuple[float, ...]], unit: str = "ms") -> None:
    columns = []
    for name, column in zip(("user", "system"), zip(*values)):
        columns.append(f"{name} {statistics.median(column):.3f} ({min(column):.3f}–{max(column):.3f})")
    total = statistics.median([sum(v) for v in values])
    print(f"{label:28s} {'  '.join(columns)}  total {total:.3f} {unit}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8, help="of code exchanges on the server, per round")
    parser.add_argument("--connections", type=int, default=4, help="wrk's connections to the server")
    parser.add_argument("-n", type=int, default=1500, help="code exchanges in process per round (floor: ×3)")
    parser.add_argument("--server-core", default="0")
    parser.add_argument("--load-core", default="1")
    args = parser.parse_args()
    server = run.Limen(args.server_core, "RS256")
    rounds: dict[str, list] = {"server exchange": [], "server floor": [], "switches": [],
                               "in-process exchange": [], "in-process floor": []}
    try:
        server.prepare()
        server.start()
        server.sign_in()
        server.check()
        for round_ in range(args.rounds):
            found = on_server(server, args)
            rounds["server exchange"].append(found["exchange"])
            rounds["server floor"].append(found["floor"])
            rounds["switches"].append(found["switches"])
            rounds["in-process exchange"].append(in_process("token", args.n))
            rounds["in-process floor"].append(in_process("floor", args.n * 3))
            print(f"round {round_ + 1}: load average {os.getloadavg()[0]:.2f}", file=sys.stderr)
    finally:
        server.stop()
    for label in ("server exchange", "in-process exchange", "server floor", "in-process floor"):
        show(label, rounds[label])
    voluntary, forced = zip(*rounds["switches"])
    print(f"{'server thread switches':28s} per exchange: voluntary {statistics.median(voluntary):.1f}, "
          f"by the scheduler {statistics.median(forced):.1f}")


if __name__ == "__main__":
    main()
