"""Periodic jobs run once per period however many instances run the worker (a lease in the database)."""

from __future__ import annotations

import pytest

from limen.core import clock
from limen.notify import worker

# Committed transactions, as in a worker thread: run_jobs closes old connections around each job, which
# inside a test's transaction would close PostgreSQL's connection under it.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_periodic_job_runs_once_per_period_across_instances(monkeypatch):
    runs = []

    def cleanup():
        runs.append(clock.now())

    monkeypatch.setattr(worker, "_jobs", [(cleanup, 60)])
    for _instance in range(3):  # three instances' workers in the same period
        monkeypatch.setattr(worker, "_last_run", {})
        worker.run_jobs()
    assert len(runs) == 1
    clock.advance(seconds=61)
    for _instance in range(3):
        monkeypatch.setattr(worker, "_last_run", {})
        worker.run_jobs()
    assert len(runs) == 2


def test_the_lease_is_taken_by_one_caller():
    assert worker.lease("job", 30) is True
    assert worker.lease("job", 30) is False
    clock.advance(seconds=31)
    assert worker.lease("job", 30) is True
