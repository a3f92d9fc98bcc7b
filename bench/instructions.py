"""Instructions per request of inprocess.py's paths, counted by valgrind (callgrind), trees side by side.

On a shared machine the CPU time of one request moves by a third from one minute to the next, so a change
worth 5 % needs many alternating rounds to be seen (oidc/trees.py). The instructions a request executes
hardly move at all (about ±0.02 % from run to run): this counts them, for the code of one or more trees, through
inprocess.py's requests (the WSGI handler, production settings, SQLite). What it does not see: the kernel's
work (system calls: SQLite's writes, the network), and what an instruction costs (a cache miss costs more
than an addition). It tells what a change does to the Python and C code of a path; the server benchmarks
say what that is worth on the server.

    .venv/bin/python bench/instructions.py token [cas refresh ...] [--trees /tmp/before/src src] [-n 200]

A path that starts with "/" is counted on the server instead: a `limen serve` worker (one thread, SQLite),
the instructions of all its threads for n GETs of that path on one kept-alive connection (uvicorn, the
bridge, the access line and Django: what a server adds around the in-process handler), e.g. the floor:

    .venv/bin/python bench/instructions.py /.well-known/openid-configuration --trees /tmp/before/src src -n 1000

Needs valgrind (apt-get install valgrind). Each run takes about a minute (setup outside the count, at
about a fifth of native speed; the counted requests at about a fiftieth); two run at once.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent


def count(src: Path, path: str, n: int, keep: Path | None = None, name: str = "") -> float:
    """Millions of instructions per request (per sign-in for ``signin``) of ``path`` with ``src``'s code.
    inprocess.py says where the measured requests start and end, and how many there were (``handover``)."""
    with tempfile.TemporaryDirectory(prefix="instructions-") as work:
        flag, out = os.path.join(work, "flag"), os.path.join(work, "callgrind.out")
        env = {**os.environ, "PYTHONPATH": str(src.resolve()), "PYTHONHASHSEED": "0", "BENCH_CALLGRIND": flag}
        measured = 0
        with open(os.path.join(work, "stderr"), "w+") as errors:  # a file: a full pipe would stall the run
            process = subprocess.Popen(
                ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                 sys.executable, str(HERE / "inprocess.py"), path, "-n", str(n)],
                env=env, stdout=subprocess.PIPE, stderr=errors, text=True, cwd=HERE.parent)
            for line in process.stdout:
                where, _, number = line.strip().partition(" ")
                if where in ("start", "stop") and number.isdigit():
                    subprocess.run(["callgrind_control", "-i", "on" if where == "start" else "off",
                                    str(process.pid)], check=True, capture_output=True)
                    measured = int(number) or measured
                    Path(f"{flag}.{where}").touch()
            if process.wait() or not measured:
                errors.seek(0)
                raise RuntimeError(f"{path} with {src} failed:\n{errors.read()[-3000:]}")
        if keep is not None:  # for callgrind_annotate
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(out, keep / f"callgrind.{path}.{name or src.resolve().parent.name}.out")
        totals = [line for line in Path(out).read_text().splitlines() if line.startswith("totals:")]
        return int(totals[-1].split()[1]) / measured / 1e6


def _gets(port: int, path: str, n: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for _ in range(n):
        connection.request("GET", path)
        answer = connection.getresponse()
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"GET {path}: {answer.status}")
    connection.close()


def count_server(src: Path, path: str, n: int, keep: Path | None = None, name: str = "") -> float:
    """Millions of instructions per GET of ``path`` in a `limen serve` worker with ``src``'s code: counted
    from zero after 300 GETs to warm it, to callgrind's dump after n more."""
    limen = str(Path(sys.executable).with_name("limen"))
    with tempfile.TemporaryDirectory(prefix="instructions-") as work:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": str(src.resolve()), "PYTHONHASHSEED": "0", "LIMEN_DATA_DIR": work,
               "LIMEN_DEBUG": "0", "LIMEN_BASE_URL": f"http://127.0.0.1:{port}", "LIMEN_LOG_LEVEL": "WARNING"}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.pop("LIMEN_DATABASE_URL", None)
        for command in (["migrate", "--verbosity", "0"], ["createcachetable"]):
            subprocess.run([limen, *command], env=env, check=True, capture_output=True)
        out = os.path.join(work, "callgrind")
        with open(os.path.join(work, "output"), "w") as output:  # its log lines: a file, as a server keeps them
            server = subprocess.Popen(
                ["valgrind", "--tool=callgrind", "--trace-children=yes", f"--callgrind-out-file={out}.%p",
                 limen, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "1"],
                env=env, stdout=output, stderr=subprocess.STDOUT, cwd=HERE.parent)
            try:
                worker = _worker_of(server, port)
                _gets(port, path, 300)
                subprocess.run(["callgrind_control", "-z", str(worker)], check=True, capture_output=True)
                _gets(port, path, n)
                subprocess.run(["callgrind_control", "-d", str(worker)], check=True, capture_output=True)
            finally:
                server.terminate()
                server.wait(60)
        dump = Path(f"{out}.{worker}.1")
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            label = name or src.resolve().parent.name
            shutil.copy(dump, keep / f"callgrind.server{path.replace('/', '_')}.{label}.out")
        summary = [line for line in dump.read_text().splitlines() if line.startswith("summary:")]
        return int(summary[-1].split()[1]) / n / 1e6


def _worker_of(server: subprocess.Popen, port: int) -> int:
    """The pid of the gunicorn worker forked by ``server`` (under valgrind, it is slow to start), once it answers."""
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError(f"limen serve exited with {server.returncode}")
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        if children:
            try:
                _gets(port, "/health/live", 1)
                return int(children[0])
            except OSError:
                pass
        time.sleep(1)
    raise RuntimeError("limen serve did not answer within 300 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="inprocess.py's paths (cas, token, refresh, floor, signin, ...), "
                        "or a GET path on the server (/.well-known/openid-configuration)")
    parser.add_argument("--trees", nargs="+", type=Path, default=[HERE.parent / "src"],
                        help="each tree's src/ (the first is the reference of the ratios)")
    parser.add_argument("-n", type=int, default=200, help="counted requests (inprocess.py's -n)")
    parser.add_argument("--keep", type=Path, help="keep callgrind's output here (callgrind_annotate --inclusive=yes)")
    args = parser.parse_args()
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            parser.error(f"{tool} is missing: apt-get install valgrind")
    jobs = [(path, index, src) for path in args.paths for index, src in enumerate(args.trees)]
    with ThreadPoolExecutor(2) as pool:
        counted = pool.map(lambda job: (count_server if job[0].startswith("/") else count)(
            job[2], job[0], args.n, args.keep, f"{job[1]}-{job[2].resolve().parent.name}"), jobs)
        found = dict(zip([(path, src) for path, _i, src in jobs], counted))
    unit = {"signin": "sign-in"}
    for path in args.paths:
        reference = found[(path, args.trees[0])]
        for src in args.trees:
            value = found[(path, src)]
            print(f"{path:9s} {value:8.3f} M instructions per {unit.get(path, 'request'):8s} "
                  f"×{value / reference:.3f}  {src}")


if __name__ == "__main__":
    main()
