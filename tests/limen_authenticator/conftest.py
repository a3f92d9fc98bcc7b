"""The reference authenticator against a real Limen server (pytest-django's live server)."""

import io

import pytest

from tests.factors.mobile_app.conftest import api, live_db, make_phone, start_enrolment  # noqa: F401

from .file_keyring import FileKeyring


@pytest.fixture
def server(live_db, live_server, settings):
    settings.BASE_URL = live_server.url
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    # Same process: wake-ups need no poller (and the in-memory test database's table locks
    # make a busy poller a source of noise).
    settings.PUSH_POLL_MS = 2000
    return live_server.url


@pytest.fixture
def state_file(tmp_path, monkeypatch):
    path = tmp_path / "config" / "limen-authenticator" / "state.json"
    monkeypatch.setenv("LIMEN_AUTHENTICATOR_STATE", str(path))
    return path


@pytest.fixture
def file_keyring(tmp_path, monkeypatch):
    import keyring

    monkeypatch.setenv("LIMEN_TEST_KEYRING", str(tmp_path / "keyring.json"))
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    yield tmp_path / "keyring.json"
    keyring.set_keyring(previous)


@pytest.fixture
def run(capsys, monkeypatch):
    """run("pending", "--json", stdin="1234\\n") -> (exit code, stdout, stderr); ``stdin`` may be a StringIO
    (one that says it is a terminal, say)."""
    from limen_authenticator import cli

    def call(*argv, stdin: str | io.StringIO = ""):
        monkeypatch.setattr("sys.stdin", stdin if isinstance(stdin, io.StringIO) else io.StringIO(stdin))
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return call


def qr_png(payload: str, path):
    import segno

    segno.make(payload, error="m").save(str(path), scale=5)
    return str(path)
