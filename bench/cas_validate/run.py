"""Tickets validated per second per core on /cas/p3/serviceValidate: Limen beside django-mama-cas,
or Limen on PostgreSQL beside Limen on SQLite.

Both servers run with one worker and one thread, in the same run, taking turns. wrk (loopback
only) sends one request per pre-created service ticket, so every request is a real, first
validation. Usage (from the repository root):

    .venv/bin/python bench/cas_validate/run.py [--duration 20] [--tickets 80000]
    .venv/bin/python bench/cas_validate/run.py --compare postgres   # PostgreSQL / SQLite

With ``--compare postgres`` the script starts a private PostgreSQL server (see postgres.py, which
also says how the CPU of its processes is counted) and reports three ratios: per CPU-second of
Limen's processes alone, of Limen and the PostgreSQL backends serving it, and on the wall clock.

Needs wrk and taskset (apt-get install wrk util-linux). The django-mama-cas
server gets its own virtualenv (bench/.venv-mama-*), created on first use; it
is never added to Limen's dependencies.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from harness import FLOOR_PATH, base_python, cpu_model, cpu_seconds, floor, free_port, median, wait_for  # noqa: E402

import postgres  # noqa: E402  (bench/cas_validate/postgres.py)
BENCH = HERE.parent
ROOT = BENCH.parent
WORK = BENCH / "work"
# One environment per interpreter (bench/.venv-mama-<version>-<hash of its path>): both servers run on the same
# Python build, whichever runs this script (make bench BENCH_PYTHON=...).
MAMA_VENV = BENCH / (f".venv-mama-{platform.python_version()}-"
                     f"{hashlib.sha256(base_python().encode()).hexdigest()[:8]}")
MAMA_REQUIREMENTS = ["django-mama-cas==2.5.0", "Django>=5.2,<5.3", "gunicorn"]
ENDPOINT = "/cas/p3/serviceValidate"


def ensure_mama_venv() -> Path:
    python = MAMA_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(MAMA_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *MAMA_REQUIREMENTS], check=True)
    return python


class Target:
    name: str
    version: str

    def __init__(self, cores: str):
        self.cores = cores
        self.port = free_port()
        self.service = f"http://127.0.0.1:{free_port()}/app/"
        self.dir = WORK / self.key
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.process: subprocess.Popen | None = None

    def files(self, counts: dict[str, int]) -> list[str]:
        return [f"{self.dir / name}.txt:{count}" for name, count in counts.items()]

    def start(self) -> None:
        pin = ["taskset", "-c", self.cores] if self.cores else []
        self.process = subprocess.Popen([*pin, *self.command()], env=self.env(),
                                        cwd=self.cwd(), stdout=subprocess.DEVNULL,
                                        stderr=open(self.dir / "server.log", "w"))
        wait_for(f"http://127.0.0.1:{self.port}{ENDPOINT}", self.process)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)

    def cwd(self) -> Path:
        return ROOT


class Limen(Target):
    key, name = "limen", "Limen"
    database_url = ""  # SQLite in its data directory

    def env(self) -> dict:
        env = {**os.environ, "LIMEN_DATA_DIR": str(self.dir), "LIMEN_DEBUG": "0",
               "LIMEN_BASE_URL": f"http://127.0.0.1:{self.port}", "LIMEN_LOG_LEVEL": "WARNING"}
        for name in ("DJANGO_SETTINGS_MODULE", "LIMEN_DATABASE_URL"):
            env.pop(name, None)
        if self.database_url:
            env["LIMEN_DATABASE_URL"] = self.database_url
        return env

    def seed(self, counts: dict[str, int]) -> None:
        subprocess.run([sys.executable, str(HERE / "seed_limen.py"), "--service", self.service,
                        "--files", *self.files(counts)], env=self.env(), check=True)
        self.version = subprocess.run([sys.executable, "-c", "import importlib.metadata as m; "
                                       "print('limen', m.version('limen'), 'Django', m.version('django'))"],
                                      capture_output=True, text=True, check=True).stdout.strip()

    def command(self) -> list[str]:
        # The production server as operators start it, with one sync worker.
        return [str(Path(sys.executable).with_name("limen")), "serve", "--bind", f"127.0.0.1:{self.port}",
                "--workers", "1", "--threads", "1"]


class LimenSqlite(Limen):
    key, name = "limen-sqlite", "Limen on SQLite"


class LimenPostgres(Limen):
    key, name = "limen-pg", "Limen on PostgreSQL"

    def __init__(self, cores: str, server):
        self.server, self.database_url = server, server.url
        super().__init__(cores)

    def seed(self, counts: dict[str, int]) -> None:
        super().seed(counts)
        self.version += f", {self.server.version}"


class MamaCas(Target):
    key, name = "mama", "django-mama-cas"

    def __init__(self, cores: str, python: Path):
        self.python = python
        super().__init__(cores)

    def env(self) -> dict:
        env = {**os.environ, "MAMA_DB": str(self.dir / "mama.sqlite3"), "PYTHONPATH": str(HERE),
               "DJANGO_SETTINGS_MODULE": "mama_site.settings"}
        env.pop("LIMEN_DATABASE_URL", None)
        return env

    def seed(self, counts: dict[str, int]) -> None:
        subprocess.run([str(self.python), str(HERE / "mama_site" / "seed.py"), "--service", self.service,
                        "--files", *self.files(counts)], env=self.env(), check=True)
        self.version = subprocess.run([str(self.python), "-c", "import importlib.metadata as m; "
                                       "print('django-mama-cas', m.version('django-mama-cas'), "
                                       "'Django', m.version('django'))"],
                                      capture_output=True, text=True, check=True).stdout.strip()

    def command(self) -> list[str]:
        return [str(self.python.with_name("gunicorn")), "mama_site.wsgi:application", "--bind",
                f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "1", "--access-logfile", "-"]

    def cwd(self) -> Path:
        return HERE


def wrk(target: Target, tickets: str, *, seconds: int, connections: int, cores: str) -> dict:
    meter = postgres.BackendMeter(target.server).start() if isinstance(target, LimenPostgres) else None
    before = cpu_seconds(target.process.pid)
    out = subprocess.run(
        [*(["taskset", "-c", cores] if cores else []), "wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", str(HERE / "validate.lua"), f"http://127.0.0.1:{target.port}", "--",
         str(target.dir / f"{tickets}.txt"), quote(target.service, safe=""), ENDPOINT],
        capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT (.*)", out)
    if not match:
        raise RuntimeError(out)
    values = {k: int(v) for k, v in (item.split("=") for item in match.group(1).split())}
    values["per_second"] = values["ok"] / (values["duration_us"] / 1e6)
    values["server_cpu_s"] = cpu_seconds(target.process.pid) - before
    values["per_cpu_second"] = values["ok"] / values["server_cpu_s"] if values["server_cpu_s"] else 0.0
    # With the database's processes: SQLite works inside Limen's, PostgreSQL in its backends.
    values.update(meter.stop() if meter else {"backend_cpu_s": 0.0, "cluster_cpu_s": 0.0})
    for key, extra in (("per_cpu_second_with_backends", "backend_cpu_s"), ("per_cpu_second_with_cluster", "cluster_cpu_s")):
        spent = values["server_cpu_s"] + values[extra]
        values[key] = values["ok"] / spent if spent else 0.0
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", choices=["mama", "postgres"], default="mama",
                        help="mama: Limen beside django-mama-cas; postgres: Limen on PostgreSQL beside Limen on SQLite")
    parser.add_argument("--duration", type=int, default=20, help="seconds of measured load per server and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the servers take turns in each")
    parser.add_argument("--tickets", type=int, default=20000,
                        help="tickets pre-created for each loaded run (more than it can validate; a run that "
                             "runs out stops early: its rate per CPU-second holds, its wall-clock rate is low)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--single", type=int, default=5,
                        help="seconds with one connection after each loaded run (latency alone); 0: none")
    parser.add_argument("--floor", type=int, default=3,
                        help="seconds of the floor (the bare stack, bench/harness.py) on each Limen after each of "
                             "its loaded runs; 0: none")
    parser.add_argument("--pg-socket", action="store_true",
                        help="with --compare postgres: Limen reaches PostgreSQL through its Unix socket, not TCP")
    parser.add_argument("--server-core", default="", help="pin the server to these cores (taskset -c), e.g. 0")
    parser.add_argument("--load-core", default="", help="pin wrk to these cores, e.g. 1")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    for tool in ("wrk", "taskset"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is needed: apt-get install wrk util-linux")
    load_before = load_average()
    counts = {"warm": 3000}
    for round_ in range(args.rounds):  # a ticket validates once: every run has its own
        counts[f"load{round_}"] = args.tickets
        if args.single:  # one connection validates nearly as fast as four: as many per second
            counts[f"single{round_}"] = max(1000, math.ceil(args.tickets * args.single / args.duration))
    with contextlib.ExitStack() as stack:
        if args.compare == "postgres":
            server = stack.enter_context(postgres.Server(socket=args.pg_socket))
            # The measured one first: ratios are first / second.
            targets = [LimenPostgres(args.server_core, server), LimenSqlite(args.server_core)]
        else:
            targets = [Limen(args.server_core), MamaCas(args.server_core, ensure_mama_venv())]
        for target in targets:
            stack.callback(target.stop)
        runs = measure(targets, counts, args)
    report = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {platform.platform()}", "cpu": cpu_model(),
        "load_average_before": load_before, "load_average_after": load_average(),
        "compare": args.compare, "duration_s": args.duration, "rounds": args.rounds, "connections": args.connections,
        "servers": [{"server": t.name, "version": t.version, **summary(runs[t.name])} for t in targets],
    }
    first, second = (runs[t.name]["load"] for t in targets)
    for name, key in RATIOS.items():
        report[f"{name}_per_round"] = [a[key] / b[key] for a, b in zip(first, second)]
        report[name] = median(report[f"{name}_per_round"])
    print(markdown(report))
    if args.json:
        args.json.write_text(json.dumps({**report, "runs": runs}, indent=2) + "\n")


def load_average() -> list[str]:
    return [f"{x:.1f}" for x in os.getloadavg()]


# ratio name in the report -> figure of each run it divides (first server / second server)
RATIOS = {"ratio": "per_cpu_second", "ratio_with_backends": "per_cpu_second_with_backends",
          "ratio_with_cluster": "per_cpu_second_with_cluster", "wall_ratio": "per_second"}


def measure(targets: list[Target], counts: dict[str, int], args) -> dict[str, dict[str, list]]:
    """Seed and start every target, then alternate rounds between them (order reversed each round)."""
    runs: dict[str, dict[str, list]] = {t.name: {"load": [], "single": [], "floor": []} for t in targets}
    for target in targets:
        print(f"== {target.name}: seeding {sum(counts.values())} tickets", file=sys.stderr)
        target.seed(counts)
        target.start()
        wrk(target, "warm", seconds=3, connections=args.connections, cores=args.load_core)
    for round_ in range(args.rounds):
        for target in targets if round_ % 2 == 0 else reversed(targets):
            load = wrk(target, f"load{round_}", seconds=args.duration, connections=args.connections,
                       cores=args.load_core)
            runs[target.name]["load"].append(load)
            if args.single:
                runs[target.name]["single"].append(
                    wrk(target, f"single{round_}", seconds=args.single, connections=1, cores=args.load_core))
            if args.floor and isinstance(target, Limen):
                runs[target.name]["floor"].append(
                    floor(f"http://127.0.0.1:{target.port}", lambda: cpu_seconds(target.process.pid),
                          seconds=args.floor, connections=args.connections, cores=args.load_core))
            with_db = (f" ({load['per_cpu_second_with_backends']:.0f} with its PostgreSQL backends)"
                       if load["backend_cpu_s"] else "")
            print(f"   round {round_ + 1} {target.name}: {load['per_cpu_second']:.0f} per CPU-second{with_db}, "
                  f"{load['per_second']:.0f} validations/s, "
                  f"p50 {load['p50_us'] / 1000:.2f} ms, p99 {load['p99_us'] / 1000:.2f} ms, "
                  f"failed {failures(load)}{', TICKETS RAN OUT' if load['ran_out'] else ''}", file=sys.stderr)
    return runs


def failures(run: dict) -> int:
    """Validations refused or not answered, but for the one request each thread sends on running out."""
    return max(0, run["bad"] - run["ran_out"]) + run["errors"]


def summary(runs: dict[str, list]) -> dict:
    return {
        "per_cpu_second": median([r["per_cpu_second"] for r in runs["load"]]),
        "per_cpu_second_with_backends": median([r["per_cpu_second_with_backends"] for r in runs["load"]]),
        "per_cpu_second_with_cluster": median([r["per_cpu_second_with_cluster"] for r in runs["load"]]),
        "per_second": median([r["per_second"] for r in runs["load"]]),
        "p50_ms": median([r["p50_us"] for r in runs["load"]]) / 1000,
        "p99_ms": median([r["p99_us"] for r in runs["load"]]) / 1000,
        "single_p50_ms": median([r["p50_us"] for r in runs["single"]]) / 1000 if runs["single"] else float("nan"),
        "single_p99_ms": median([r["p99_us"] for r in runs["single"]]) / 1000 if runs["single"] else float("nan"),
        "failed": sum(failures(r) for kind in ("load", "single") for r in runs[kind]) + floor_failed(runs),
        "ran_out": sum(1 for r in runs["load"] if r["ran_out"]),
        "per_round": [round(r["per_cpu_second"]) for r in runs["load"]],
        "per_round_with_backends": [round(r["per_cpu_second_with_backends"]) for r in runs["load"]],
        **floor_summary(runs),
    }


def floor_summary(runs: dict[str, list]) -> dict:
    """The floor's rate, and the path's rate as a share of it, round by round (the floor measured right
    after the path on the same server): 1.0 would be a path that costs no more than the bare stack."""
    if not runs["floor"]:
        return {}
    shares = [path["per_cpu_second"] / bare["per_cpu_second"]
              for path, bare in zip(runs["load"], runs["floor"]) if bare["per_cpu_second"]]
    return {"floor_per_cpu_second": median([r["per_cpu_second"] for r in runs["floor"]]),
            "floor_per_round": [round(r["per_cpu_second"]) for r in runs["floor"]],
            "share_of_floor": median(shares) if shares else float("nan")}


def floor_failed(runs: dict[str, list]) -> int:
    return sum(r["bad"] + r["errors"] for r in runs["floor"])


def markdown(report: dict) -> str:
    postgres_mode = report["compare"] == "postgres"
    extra = " | with PostgreSQL backends (median; per round)" if postgres_mode else ""
    rows = [f"| server | validations per CPU-second (median) | per round{extra} | validations/s (wall clock) "
            "| p50 | p99 | p50 alone | p99 alone | failed |",
            "|---|---:|---|" + ("---|" if postgres_mode else "") + "---:|---:|---:|---:|---:|---:|"]
    for s in report["servers"]:
        with_db = (f" | {s['per_cpu_second_with_backends']:.0f} ({', '.join(map(str, s['per_round_with_backends']))})"
                   if postgres_mode else "")
        rows.append(f"| {s['server']} ({s['version']}) | {s['per_cpu_second']:.0f} | "
                    f"{', '.join(str(n) for n in s['per_round'])}{with_db} | {s['per_second']:.0f} | "
                    f"{s['p50_ms']:.2f} ms | {s['p99_ms']:.2f} ms | {s['single_p50_ms']:.2f} ms | "
                    f"{s['single_p99_ms']:.2f} ms | {s['failed']} |")
    first, second = (s["server"] for s in report["servers"])

    def line(label: str, name: str) -> str:
        rounds = ", ".join(f"{r:.2f}" for r in report[f"{name}_per_round"])
        return f"- {label}: **{report[name]:.2f}** (per round {rounds})"

    ratios = [line("per CPU-second of Limen's processes", "ratio")]
    if postgres_mode:
        ratios += [line("per CPU-second of Limen's processes and the PostgreSQL backends serving them",
                        "ratio_with_backends"),
                   line("the same with every PostgreSQL process (cluster)", "ratio_with_cluster")]
    ratios.append(line("wall clock", "wall_ratio"))
    for s in report["servers"]:
        if "floor_per_cpu_second" in s:
            ratios.append(f"- floor, {s['server']} (GETs of {FLOOR_PATH}: the same server with no view work): "
                          f"{s['floor_per_cpu_second']:.0f} per CPU-second (per round "
                          f"{', '.join(map(str, s['floor_per_round']))}); a validation costs "
                          f"{1000 / s['per_cpu_second']:.2f} ms of CPU against {1000 / s['floor_per_cpu_second']:.2f} "
                          f"ms for the bare stack (validations at ×{s['share_of_floor']:.2f} the floor's rate)")
    short = [f"{s['server']} {s['ran_out']}" for s in report["servers"] if s["ran_out"]]
    if short:
        ratios.append(f"- **tickets ran out** in loaded runs ({', '.join(short)}): those runs stopped early; "
                      "their rates per CPU-second hold, their wall-clock rates are too low (more --tickets)")
    return (f"{report['date']}, {report['cpu']} ({report['machine']}), load average "
            f"{' '.join(report['load_average_before'])} before, {' '.join(report['load_average_after'])} after; "
            f"{report['rounds']} rounds of {report['duration_s']} s, {report['connections']} connections\n\n"
            + "\n".join(rows) + f"\n\n{first} / {second} (medians of the per-round ratios):\n\n"
            + "\n".join(ratios) + "\n")


if __name__ == "__main__":
    main()
