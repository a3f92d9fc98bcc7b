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

"/oidc/token" on the server counts code exchanges, as oidc/run.py makes them (its person and client, codes
from the authorization endpoint taken outside the count, then 100 exchanges to warm the worker):

    .venv/bin/python bench/instructions.py /oidc/token -n 300

Needs valgrind (apt-get install valgrind). Each run takes about a minute (setup outside the count, at
about a fifth of native speed; the counted requests at about a fiftieth); two run at once.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from harness import handed_over

HERE = Path(__file__).resolve().parent


def count(src: Path, path: str, n: int, keep: Path | None = None, name: str = "") -> float:
    """Millions of instructions per request (per sign-in for ``signin``) of ``path`` with ``src``'s code.
    inprocess.py says where the measured requests start and end, and how many there were (``handover``)."""
    with tempfile.TemporaryDirectory(prefix="instructions-") as work:
        flag, out = os.path.join(work, "flag"), os.path.join(work, "callgrind.out")
        env = {**os.environ, "PYTHONPATH": str(src.resolve()), "PYTHONHASHSEED": "0", "BENCH_CALLGRIND": flag}
        with open(os.path.join(work, "stderr"), "w+") as errors:  # a file: a full pipe would stall the run
            process = subprocess.Popen(
                ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                 sys.executable, str(HERE / "inprocess.py"), path, "-n", str(n)],
                env=env, stdout=subprocess.PIPE, stderr=errors, text=True, cwd=HERE.parent)
            measured = handed_over(process, flag, lambda where: subprocess.run(
                ["callgrind_control", "-i", "on" if where == "start" else "off", str(process.pid)],
                check=True, capture_output=True))
            if process.wait() or not measured:
                errors.seek(0)
                raise RuntimeError(f"{path} with {src} failed:\n{errors.read()[-3000:]}")
        if keep is not None:  # for callgrind_annotate
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(out, keep / f"callgrind.{path}.{name or src.resolve().parent.name}.out")
        totals = [line for line in Path(out).read_text().splitlines() if line.startswith("totals:")]
        return int(totals[-1].split()[1]) / measured / 1e6


class _Counted:
    """A `limen serve` (one worker, one thread, SQLite) under callgrind, with oidc/run.py's person and client,
    whose worker's counting is switched on for the measured requests only."""

    def __init__(self, src: Path, label: str):
        sys.path[:0] = [folder for folder in (str(HERE / "oidc"), str(HERE)) if folder not in sys.path]
        import servers  # bench/oidc/servers.py: the person, the client, the sign-in

        class Server(servers.Limen):
            key = f"instructions-{os.getpid()}-{label}"  # two instructions.py at once: each its own folder

            def env(self) -> dict:
                return {**super().env(), "PYTHONPATH": str(src.resolve()), "PYTHONHASHSEED": "0"}

            def command(self) -> list[str]:
                return ["valgrind", "--tool=callgrind", "--trace-children=yes", "--instr-atstart=no",
                        f"--callgrind-out-file={self.dir}/callgrind.%p", *super().command()]

            def start(self) -> None:  # under valgrind a worker takes up to a minute to answer
                with open(self.dir / "output.log", "w") as output:  # its log lines: a file, as a server keeps them
                    self.process = subprocess.Popen(self.command(), env=self.env(), cwd=HERE.parent, stdout=output,
                                                    stderr=subprocess.STDOUT)

        self.servers, self.server = servers, Server("0")
        self.server.prepare()
        self.server.start()
        self.worker = _worker_of(self.server.process, self.server.port)
        self.connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=300)

    def get(self, path: str, n: int) -> None:
        for _ in range(n):
            self._ask("GET", path)

    def codes(self, n: int) -> list[str]:
        """n codes from the authorization endpoint, for the person signed in once through the pages."""
        if not self.server.cookie:
            self.server.sign_in()
        query = f"{self.server.authorize_path}?{self.server.authorize_query()}"
        answers = [self._ask("GET", query, headers={"Cookie": self.server.cookie}, status=302) for _ in range(n)]
        return [re.search(r"[?&]code=([^&]+)", answer.getheader("Location")).group(1) for answer in answers]

    def exchange(self, codes: list[str]) -> None:
        for code in codes:
            body = urlencode({"grant_type": "authorization_code", "code": code, "code_verifier": self.servers.VERIFIER,
                              "redirect_uri": self.servers.REDIRECT})
            answer = self._ask("POST", "/oidc/token", body, {"Authorization": self.servers.BASIC,
                                                             "Content-Type": "application/x-www-form-urlencoded"})
            if b"id_token" not in answer.body:
                raise RuntimeError(f"a code exchange without an ID token: {answer.body[:300]!r}")

    def _ask(self, method: str, path: str, body: str | None = None, headers: dict | None = None,
             status: int = 200) -> http.client.HTTPResponse:
        self.connection.request(method, path, body=body, headers=headers or {})
        answer = self.connection.getresponse()
        answer.body = answer.read()
        if answer.status != status:
            raise RuntimeError(f"{method} {path}: {answer.status} {answer.body[:300]!r}")
        return answer

    def count(self, requests: Callable[[], None]) -> Path:
        """Runs ``requests`` with the worker's counting on, from zero; the file callgrind wrote for them."""
        control = ["callgrind_control"]
        for what in (["-i", "on"], ["-z"]):
            subprocess.run([*control, *what, str(self.worker)], check=True, capture_output=True)
        requests()
        subprocess.run([*control, "-d", str(self.worker)], check=True, capture_output=True)
        return Path(f"{self.server.dir}/callgrind.{self.worker}.1")

    def stop(self) -> None:
        self.connection.close()
        self.server.stop()


def count_server(src: Path, path: str, n: int, keep: Path | None = None, name: str = "") -> float:
    """Millions of instructions per request in a `limen serve` worker with ``src``'s code: n GETs of ``path``
    after 300 to warm it, or (``path`` "/oidc/token") n code exchanges after 100, their codes first taken
    from the authorization endpoint outside the count."""
    label = name or src.resolve().parent.name
    server = _Counted(src, label + path.replace("/", "_"))  # its own folder: two counts run at once
    try:
        if path == "/oidc/token":
            codes = server.codes(n + 100)
            server.exchange(codes[:100])
            dump = server.count(lambda: server.exchange(codes[100:]))
        else:
            server.get(path, 300)
            dump = server.count(lambda: server.get(path, n))
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(dump, keep / f"callgrind.server{path.replace('/', '_')}.{label}.out")
        summary = [line for line in dump.read_text().splitlines() if line.startswith("summary:")]
        counted = int(summary[-1].split()[1]) / n / 1e6
    finally:
        server.stop()
    shutil.rmtree(server.server.dir, ignore_errors=True)  # kept when the count failed: the server's log is there
    return counted


def _worker_of(server: subprocess.Popen, port: int) -> int:
    """The pid of the gunicorn worker forked by ``server`` (under valgrind, it is slow to start), once it answers."""
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError(f"limen serve exited with {server.returncode}")
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        if children:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                connection.request("GET", "/health/live")
                connection.getresponse().read()
                connection.close()
                return int(children[0])
            except OSError:
                pass
        time.sleep(1)
    raise RuntimeError("limen serve did not answer within 300 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="inprocess.py's paths (cas, token, refresh, floor, signin, ...), "
                        "or on the server a GET path (/.well-known/openid-configuration) or /oidc/token")
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
