"""Code exchanges, refresh grants, authorization requests or a GET path per CPU-second under `limen serve`
(one worker, one thread, SQLite), with the code of two or more trees side by side in alternating rounds: what one
change moves, measured as run.py measures Limen.

    git worktree add --detach /tmp/before <commit>
    .venv/bin/python bench/oidc/trees.py /tmp/before/src src [--token | --refresh | --authorize | --path /health/live]
        [--rounds 3] [--seconds 8] [--algs RS256 [ES256]]

Each tree's `limen serve` runs with PYTHONPATH=<tree's src> on its own database, pinned to the server core;
wrk on the other. The first tree is the reference of the ratios.

--algs: how the bench client's ID tokens are signed (its id_token_alg; default RS256 only). With several,
every src is run once per algorithm, as separate servers taking part in the same alternating rounds, in the
order src by src, then algorithm by algorithm: `trees.py src --token --algs RS256 ES256` measures one tree's
code exchanges with RS256 (the reference) and ES256 side by side. Each server's first code exchange and
refresh are checked to carry an ID token of its algorithm. ES256 needs a tree that has the setting.

--pythons: the interpreters to run each tree's server with (each a virtual environment's python, in which
Limen and its dependencies are installed: `python3.13 -m venv /tmp/v313 && /tmp/v313/bin/pip install -e .`);
every src is run once per interpreter, as for --algs. The first is the reference.

--keep-logs: each server's standard output, where its log lines go (an access line per request), is written
to a file in its folder, as a server that keeps its logs does, instead of /dev/null as in run.py.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import run  # noqa: E402
from harness import cpu_seconds  # noqa: E402


class Tree(run.Limen):
    def __init__(self, cores: str, src: Path, index: int, alg: str = "RS256", python: Path | None = None):
        self.key = f"tree{index}"
        super().__init__(cores, alg)
        self.src = src
        self.label = f"{src} {alg}"
        if python is not None:
            self.python = python
            self.label += f" {python}"

    def env(self) -> dict:
        return {**super().env(), "PYTHONPATH": str(self.src)}


def measure(tree: Tree, args) -> float:
    load = {"connections": 4, "cores": args.load_core}
    if args.authorize:  # a signed-in person's authorization requests, each answered with a code
        _codes, rate = run.harvest(tree, "codes", need=1, seconds=args.seconds, **load)
        return rate
    if args.token or args.refresh:
        codes, _ = run.harvest(tree, "codes", need=int(args.seconds * 600), **load)
        if args.refresh:
            pool: list[str] = []
            run.token_run(tree, codes, pool, seconds=args.seconds * 1.3, **load)
            return run.refresh_run(tree, pool, seconds=args.seconds, **load)["per_cpu_second"]
        return run.token_run(tree, codes, seconds=args.seconds, **load)["per_cpu_second"]
    before = cpu_seconds(tree.process.pid)
    out = subprocess.run(["taskset", "-c", args.load_core, "wrk", "-t", "1", "-c", "4", "-d", f"{args.seconds}s",
                          tree.base + args.path], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"(\d+) requests in", out).group(1)) / (cpu_seconds(tree.process.pid) - before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("srcs", nargs="+", type=Path, help="each tree's src/ directory")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--token", action="store_true", help="code exchanges (the default is --path)")
    what.add_argument("--refresh", action="store_true", help="refresh grants")
    what.add_argument("--authorize", action="store_true",
                      help="authorization requests of a signed-in person, each answered with a code")
    what.add_argument("--path", default="/.well-known/openid-configuration", help="a GET path")
    parser.add_argument("--algs", nargs="+", choices=run.ALGS, default=["RS256"],
                        help="ID token algorithms; each src is run once per algorithm (default RS256)")
    parser.add_argument("--pythons", nargs="+", type=Path, default=[None],
                        help="virtual environments' interpreters to run the servers with (default: this one)")
    parser.add_argument("--keep-logs", action="store_true",
                        help="the servers' log lines to a file in their folder (default: /dev/null)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--server-core", default="0")
    parser.add_argument("--load-core", default="1")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (apt-get install wrk)")
    runs = [(src.resolve(), alg, python) for src in args.srcs for alg in args.algs for python in args.pythons]
    trees = [Tree(args.server_core, src, n, alg, python) for n, (src, alg, python) in enumerate(runs)]
    for tree in trees:
        tree.keep_output = args.keep_logs
    try:
        for tree in trees:
            tree.prepare()
            tree.start()
            tree.sign_in()
            tree.check()
        figures: dict[Tree, list[float]] = {tree: [] for tree in trees}
        for round_ in range(args.rounds):
            for tree in trees if round_ % 2 == 0 else trees[::-1]:
                figures[tree].append(measure(tree, args))
                print(f"round {round_ + 1}, {tree.label}: {figures[tree][-1]:.0f} per CPU-second "
                      f"(load average {os.getloadavg()[0]:.1f})", file=sys.stderr)
    finally:
        for tree in trees:
            tree.stop()
    reference = figures[trees[0]]
    for tree, values in figures.items():
        ratios = ", ".join(f"{v / r:.3f}" for v, r in zip(values, reference))
        print(f"{tree.label}: median {statistics.median(values):.0f} per CPU-second "
              f"(rounds {', '.join(f'{v:.0f}' for v in values)}); "
              f"×{statistics.median(values) / statistics.median(reference):.3f}"
              f" (per round {ratios})")


if __name__ == "__main__":
    main()
