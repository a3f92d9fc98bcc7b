"""Bench only: a memory probe inside the worker processes of `limen serve`, for
bench/mobile_waiting_connections.py --memprobe. Nothing in src/ knows of it: the benchmark puts this
folder first on the server's PYTHONPATH and sets LIMEN_BENCH_MEMPROBE=<folder>.

In each forked worker, a thread watches that folder; for each file ``ask-<label>`` it writes
``<pid>-<label>.json``: the Python objects alive after a full collection (count, by type), the blocks
Python's own allocator holds, glibc's view of the heap (mallinfo2: bytes in use vs free but kept), for
a label starting with "trim" RSS after ``malloc_trim(0)`` too (what glibc gives back when asked: memory
kept by the allocator, not leaked), the hub's waiters (alone, cheaply, for a label starting with
"hub"), and, with LIMEN_BENCH_TRACEMALLOC=1, the lines whose allocations grew since the first report (tracemalloc slows the worker: a separate run).
"""

from __future__ import annotations

import os

_FOLDER = os.environ.get("LIMEN_BENCH_MEMPROBE", "")


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def _mallinfo() -> dict:
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in
                    ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                     "fordblks", "keepcost")]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    return {"heap_kib": info.arena // 1024, "mmapped_kib": info.hblkhd // 1024,
            "in_use_kib": info.uordblks // 1024, "free_kept_kib": info.fordblks // 1024}


def _pymalloc() -> dict:
    """Python's small-object allocator: arenas held, bytes in live blocks, bytes free inside them."""
    import re
    import sys
    import tempfile

    wanted = {"# arenas allocated current": "arenas", "# arenas highwater mark": "arenas_highwater",
              "# arenas reclaimed": "arenas_reclaimed", "# bytes in allocated blocks": "allocated_bytes",
              "# bytes in available blocks": "available_bytes"}
    with tempfile.TemporaryFile("w+") as out:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(out.fileno(), 2)  # _debugmallocstats writes to C's stderr only
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read()
    found = {}
    for line in text.splitlines():
        name, _, value = line.partition("=")
        if name.strip() in wanted:
            found[wanted[name.strip()]] = int(re.sub(r"\D", "", value) or 0)
        elif "unused pools" in name:
            found["unused_pool_bytes"] = int(re.sub(r"\D", "", value) or 0)
    return found


def _hub() -> dict | None:
    import sys

    hub = sys.modules.get("limen.factors.mobile_app.aiohub")
    return {"waiting": hub.hub.waiting(), "keys": len(hub.hub._subscribers)} if hub is not None else None


def _report(label: str, first: list) -> dict:
    if label.startswith("hub"):  # cheap: only how many waits the hub holds
        return {"label": label, "pid": os.getpid(), "hub": _hub()}
    import collections
    import ctypes
    import gc
    import sys
    import tracemalloc

    collected = gc.collect()
    objects = gc.get_objects()
    by_type = collections.Counter(type(o).__qualname__ for o in objects)
    count = len(objects)
    del objects
    report = {"label": label, "pid": os.getpid(), "gc_collected": collected, "gc_objects": count,
              "types": dict(by_type.most_common(40)), "pymalloc_blocks": sys.getallocatedblocks(),
              "rss_kib": _rss_kib(), "malloc": _mallinfo(), "pymalloc": _pymalloc()}
    report["hub"] = _hub()
    if tracemalloc.is_tracing():
        snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        report["traced_kib"] = tracemalloc.get_traced_memory()[0] // 1024
        if not first:
            first.append(snapshot)
        else:
            report["grown"] = [{"where": str(stat.traceback), "kib": stat.size_diff / 1024, "blocks": stat.count_diff}
                               for stat in snapshot.compare_to(first[0], "lineno")[:25]]
        del snapshot
    if label.startswith("trim"):  # last: it changes what the next rounds would measure
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        report["rss_after_trim_kib"] = _rss_kib()
        report["malloc_after_trim"] = _mallinfo()
        report["pymalloc_after_trim"] = _pymalloc()
    return report


def _watch() -> None:
    import json
    import time

    done: set[str] = set()
    first: list = []
    while True:
        time.sleep(0.5)
        try:
            asked = [name for name in os.listdir(_FOLDER) if name.startswith("ask-") and name not in done]
        except OSError:
            continue
        for name in sorted(asked):
            done.add(name)
            label = name[4:]
            report = _report(label, first)
            path = os.path.join(_FOLDER, f"{os.getpid()}-{label}.json")
            with open(path + ".tmp", "w") as out:
                json.dump(report, out)
            os.replace(path + ".tmp", path)


def _in_worker() -> None:
    import threading

    if os.environ.get("LIMEN_BENCH_TRACEMALLOC") == "1":
        import tracemalloc

        tracemalloc.start(int(os.environ.get("LIMEN_BENCH_TRACEMALLOC_FRAMES", "1")))
    threading.Thread(target=_watch, name="limen-bench-memprobe", daemon=True).start()


if _FOLDER:
    os.register_at_fork(after_in_child=_in_worker)
