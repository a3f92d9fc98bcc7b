"""`limen serve` prepares prometheus-client's multiprocess directory; gunicorn's hooks use it."""

from __future__ import annotations

import os
from types import SimpleNamespace

from limen import gunicorn_conf
from limen.ops import multiprocess


def test_an_operator_directory_is_emptied_of_a_previous_server_values(tmp_path, monkeypatch):
    directory = tmp_path / "metrics"
    directory.mkdir()
    (directory / "counter_123.db").write_bytes(b"old")
    (directory / "README").write_text("kept")
    monkeypatch.setenv(multiprocess.ENV, str(directory))
    assert multiprocess.prepare() == directory
    assert sorted(p.name for p in directory.iterdir()) == ["README"]


def test_without_one_a_private_temporary_directory(monkeypatch):
    # setenv, not delenv: delenv records nothing when the variable is absent, so the directory set
    # below (and removed below) stayed in this process's environment for every later test.
    monkeypatch.setenv(multiprocess.ENV, "")
    path = multiprocess.prepare()
    assert os.environ[multiprocess.ENV] == str(path)
    assert path.is_dir() and not any(path.iterdir())
    path.rmdir()


def test_a_dead_worker_is_marked(tmp_path, monkeypatch):
    monkeypatch.setenv(multiprocess.ENV, str(tmp_path))
    (tmp_path / "gauge_livesum_4242.db").write_bytes(b"")
    (tmp_path / "counter_4242.db").write_bytes(b"")
    gunicorn_conf.child_exit(None, SimpleNamespace(pid=4242))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counter_4242.db"]  # its counters still count


def test_gunicorn_logs_like_limen():
    config = gunicorn_conf.logconfig_dict
    for name in ("gunicorn.error", "gunicorn.access"):
        assert config["loggers"][name]["handlers"] == ["console"]
    assert config["handlers"]["console"]["filters"] == ["context", "redact"]
