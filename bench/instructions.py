"""Instructions per request of inprocess.py's paths, counted by valgrind (callgrind), trees side by side.

On a shared machine the CPU time of one request moves by a third from one minute to the next, so a change
worth 5 % needs many alternating rounds to be seen (oidc/trees.py). The instructions a request executes
hardly move at all (about ±0.02 % from run to run): this counts them, for the code of one or more trees, through
inprocess.py's requests (the WSGI handler, production settings, SQLite). What it does not see: the kernel's
work (system calls: SQLite's writes, the network), and what an instruction costs (a cache miss costs more
than an addition). It tells what a change does to the Python and C code of a path; the server benchmarks
say what that is worth on the server.

    .venv/bin/python bench/instructions.py token [cas refresh ...] [--trees /tmp/before/src src] [-n 200]

Needs valgrind (apt-get install valgrind). Each run takes about a minute (setup outside the count, at
about a fifth of native speed; the counted requests at about a fiftieth); two run at once.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="inprocess.py's paths (cas, token, refresh, floor, signin, ...)")
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
        counted = pool.map(lambda job: count(job[2], job[0], args.n, args.keep,
                                             f"{job[1]}-{job[2].resolve().parent.name}"), jobs)
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
