"""gunicorn settings and hooks used by `limen serve`."""

import os

from limen.core.logs import logging_config

# gunicorn's own lines (start-up, workers, access log) in the same format as Limen's, through the
# same filters: the request id, the instance name, secrets masked.
logconfig_dict = logging_config(os.environ.get("LIMEN_LOG_FORMAT", "json").strip().lower() or "json",
                                os.environ.get("LIMEN_LOG_LEVEL", "INFO").strip().upper() or "INFO")


def post_worker_init(worker):
    # Each worker retries the outbox; a thread started in the master would not
    # survive the fork. Several workers retrying at once is safe: delivery
    # locks the row it sends.
    from limen.notify import worker as outbox_worker

    outbox_worker.start()


def child_exit(server, worker):
    # The metrics of a worker that stopped: its counters still count, its live gauges no longer.
    from limen.ops.multiprocess import worker_exited

    worker_exited(worker.pid)
