"""prometheus-client's multiprocess mode for `limen serve`: each gunicorn worker writes its
values to files in PROMETHEUS_MULTIPROC_DIR, and whichever worker answers a scrape adds
them all up.

The variable must be set before prometheus-client is first imported (it decides then how
values are stored), so this module imports it only inside functions, and `limen serve`
calls ``prepare()`` before Django starts.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def prepare() -> Path:
    """The directory for this server's metric files, emptied: the operator's PROMETHEUS_MULTIPROC_DIR,
    or a new temporary directory removed when the server stops."""
    configured = os.environ.get(ENV, "").strip()
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):  # a previous server's values would be added to this one's
            stale.unlink()
    else:
        path = Path(tempfile.mkdtemp(prefix="limen-metrics-"))
        atexit.register(shutil.rmtree, path, True)
        os.environ[ENV] = str(path)
    return path


def worker_exited(pid: int) -> None:
    """gunicorn's child_exit: the dead worker's live gauges stop counting (its counters stay)."""
    if enabled():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
