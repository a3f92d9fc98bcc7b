"""Request paths under the two ways `limen serve` can run, side by side, in alternating rounds.

- ``gthread``: gunicorn's gthread worker (Limen's server until the waiting connections moved to
  an event loop; ``limen serve --server sync``);
- ``async``: gunicorn with limen.server.worker.LimenWorker (uvicorn's loop, Django in a thread
  pool through limen.server.bridge; ``limen serve``, the default);
- ``a2wsgi`` (with --a2wsgi, needs ``pip install a2wsgi``): the same worker with a2wsgi's generic
  WSGIMiddleware instead of Limen's bridge;
- ``before`` (with --before-src PATH): ``limen serve`` with the code of another tree (e.g. a worktree
  of an older commit: ``git worktree add --detach /tmp/old <commit>``, then ``--before-src /tmp/old/src``),
  to measure a change side by side; ``--modes`` picks which of the others run too.

Each has one worker with 4 threads (the default of `limen serve`) and its own SQLite database
seeded with service tickets (bench/cas_validate/seed_limen.py). wrk measures
/cas/p3/serviceValidate (every request spends a new ticket) and GET /login/ (the sign-in page),
with 4 connections; figures are per CPU-second of the server's processes (robust on a shared
machine) and per wall-clock second. Usage (from the repository root):

    .venv/bin/python bench/serving/run.py --rounds 5 --duration 10 --json bench/work/serving.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from harness import cpu_model, cpu_seconds, free_port, median, wait_for  # noqa: E402

WORK = BENCH / "work" / "serving"
LIMEN = str(Path(sys.executable).with_name("limen"))
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
VALIDATE = "/cas/p3/serviceValidate"


class Mode:
    def __init__(self, name: str, threads: int, src: Path = ROOT / "src"):
        self.name, self.threads, self.src = name, threads, src
        self.port = free_port()
        self.dir = WORK / name
        self.service = f"http://127.0.0.1:{free_port()}/app/"
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.process: subprocess.Popen | None = None

    def env(self) -> dict:
        env = {**os.environ, "LIMEN_DATA_DIR": str(self.dir), "LIMEN_DEBUG": "0", "LIMEN_LOG_LEVEL": "WARNING",
               "LIMEN_BASE_URL": f"http://127.0.0.1:{self.port}", "LIMEN_THREADS": str(self.threads),
               "PYTHONPATH": os.pathsep.join([str(HERE), str(self.src)])}
        for name in ("DJANGO_SETTINGS_MODULE", "LIMEN_DATABASE_URL", "LIMEN_REDIS_URL"):
            env.pop(name, None)
        return env

    def command(self) -> list[str]:
        bind = f"127.0.0.1:{self.port}"
        if self.name == "gthread":
            return [LIMEN, "serve", "--server", "sync", "--bind", bind, "--workers", "1", "--threads",
                    str(self.threads)]
        if self.name in ("async", "before"):
            return [LIMEN, "serve", "--bind", bind, "--workers", "1", "--threads", str(self.threads)]
        return [GUNICORN, "a2wsgi_app:application", "--worker-class", "limen.server.worker.LimenWorker",
                "--bind", bind, "--workers", "1", "--access-logfile", "-", "--config", "python:limen.gunicorn_conf"]

    def seed(self, counts: dict[str, int]) -> None:
        files = [f"{self.dir / name}.txt:{count}" for name, count in counts.items()]
        subprocess.run([sys.executable, str(BENCH / "cas_validate" / "seed_limen.py"), "--service", self.service,
                        "--files", *files], env=self.env(), check=True)

    def start(self) -> None:
        self.process = subprocess.Popen(self.command(), env=self.env(), cwd=HERE, stdout=subprocess.DEVNULL,
                                        stderr=open(self.dir / "server.log", "w"), start_new_session=True)
        wait_for(f"http://127.0.0.1:{self.port}/login/", self.process)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


def wrk(mode: Mode, script: str, args: list[str], *, seconds: int, connections: int) -> dict:
    before = cpu_seconds(mode.process.pid)
    out = subprocess.run(["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
                          "-s", script, f"http://127.0.0.1:{mode.port}", "--", *args],
                         capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT (.*)", out)
    if not match:
        raise RuntimeError(out)
    values = {k: int(v) for k, v in (item.split("=") for item in match.group(1).split())}
    values["cpu_s"] = cpu_seconds(mode.process.pid) - before
    values["per_second"] = values["ok"] / (values["duration_us"] / 1e6)
    values["per_cpu_second"] = values["ok"] / values["cpu_s"] if values["cpu_s"] else 0.0
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--tickets", type=int, default=12000)
    parser.add_argument("--a2wsgi", action="store_true", help="also measure a2wsgi's WSGIMiddleware")
    parser.add_argument("--modes", default="gthread,async", help="of gthread, async (comma-separated)")
    parser.add_argument("--before-src", type=Path, help="also run `limen serve` with this tree's src/")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    names = [n for n in args.modes.split(",") if n] + (["a2wsgi"] if args.a2wsgi else [])
    modes = [Mode(name, args.threads) for name in names]
    if args.before_src:
        names.insert(0, "before")
        modes.insert(0, Mode("before", args.threads, args.before_src.resolve()))
    counts = {"warm": 2000, **{f"load{r}": args.tickets for r in range(args.rounds)}}
    runs: dict[str, dict[str, list]] = {m.name: {"cas": [], "page": []} for m in modes}
    load_averages = []
    try:
        for mode in modes:
            print(f"== {mode.name}: seeding", file=sys.stderr)
            mode.seed(counts)
            mode.start()
            wrk(mode, str(BENCH / "cas_validate" / "validate.lua"),
                [str(mode.dir / "warm.txt"), quote(mode.service, safe=""), VALIDATE], seconds=3, connections=4)
        for r in range(args.rounds):
            load_averages.append(Path("/proc/loadavg").read_text().split()[0])
            for mode in modes if r % 2 == 0 else list(reversed(modes)):
                cas = wrk(mode, str(BENCH / "cas_validate" / "validate.lua"),
                          [str(mode.dir / f"load{r}.txt"), quote(mode.service, safe=""), VALIDATE],
                          seconds=args.duration, connections=args.connections)
                page = wrk(mode, str(HERE / "page.lua"), ["/login/"], seconds=args.duration,
                           connections=args.connections)
                runs[mode.name]["cas"].append(cas)
                runs[mode.name]["page"].append(page)
                print(f"   round {r + 1} {mode.name}: CAS {cas['per_cpu_second']:.0f}/CPU-s "
                      f"({cas['per_second']:.0f}/s, p50 {cas['p50_us'] / 1000:.1f} ms, bad {cas['bad']}); "
                      f"GET /login/ {page['per_cpu_second']:.0f}/CPU-s ({page['per_second']:.0f}/s, "
                      f"p50 {page['p50_us'] / 1000:.1f} ms, bad {page['bad']})", file=sys.stderr)
    finally:
        for mode in modes:
            mode.stop()
    report = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "cpu": cpu_model(),
              "cores": os.cpu_count(), "load_average_per_round": load_averages, "rounds": args.rounds,
              "duration_s": args.duration, "connections": args.connections, "threads": args.threads, "modes": {}}
    for name, kinds in runs.items():
        report["modes"][name] = {kind: {
            "per_cpu_second": median([x["per_cpu_second"] for x in values]),
            "per_cpu_second_rounds": [round(x["per_cpu_second"]) for x in values],
            "per_second": median([x["per_second"] for x in values]),
            "p50_ms": median([x["p50_us"] for x in values]) / 1000,
            "p99_ms": median([x["p99_us"] for x in values]) / 1000,
            "failed": sum(x["bad"] + x["errors"] for x in values),
        } for kind, values in kinds.items()}
    base = runs[names[0]]  # the first mode: gthread, or the tree before a change
    for name in names[1:]:
        for kind in ("cas", "page"):
            ratios = [a["per_cpu_second"] / b["per_cpu_second"] for a, b in zip(runs[name][kind], base[kind])]
            report["modes"][name][kind][f"ratio_to_{names[0]}_rounds"] = [round(x, 2) for x in ratios]
            report["modes"][name][kind][f"ratio_to_{names[0]}"] = median(ratios)
    print(json.dumps(report["modes"], indent=1))
    print("load average per round:", " ".join(load_averages))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**report, "runs": runs}, indent=2) + "\n")


if __name__ == "__main__":
    main()
