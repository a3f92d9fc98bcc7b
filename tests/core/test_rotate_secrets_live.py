"""limen rotate_secrets while Limen runs: separate processes on one database, the way an operator does it.

Two processes change every eID client secret once while the rotation runs: one of an instance not
yet restarted (it still encrypts with the key of before), one of an instance already on the new key.
No change is lost (a rotation that wrote without checking what it had read loses dozens here), a
second run rotates what the old instance wrote meanwhile, and once the old key is removed everything
still reads. The database is of the same kind as the run's: SQLite in the SQLite run, PostgreSQL in
the PostgreSQL run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.support.keys import new_key
from tests.support.limen_server import LimenServer, same_database_kind

ROWS = 3000
BATCH = 500
LABEL = "factors_eid.UpstreamProvider.client_secret_encrypted"

CREATE = f"""
from limen.factors.eid.models import UpstreamProvider as P
rows = []
for i in range({ROWS}):
    p = P(name=f"P{{i}}", slug=f"p{{i}}", issuer=f"https://eid{{i}}.example", client_id="limen")
    p.set_secret(f"initial-{{i}}")
    rows.append(p)
P.objects.bulk_create(rows)
"""

# Once the rotation has begun (its first rows are under the new key), writes a new secret to each row
# of its half once, in random order, as fast as it can; prints what it wrote. A row written once is never
# written again by it, so a change the rotation overwrote with stale data would stay visible.
WRITER = """
import json, random, sys, time
from pathlib import Path
from limen.core import crypto
from limen.factors.eid.models import UpstreamProvider as P
parity, ready = int(sys.argv[1]), Path(sys.argv[2])
ids = list(P.objects.order_by("pk").values_list("pk", flat=True))
mine = [pk for pk in ids if pk % 2 == parity]
first = [pk for pk in ids if pk % 2 == 0][:50]  # only the rotation writes these before we begin
ready.touch()
deadline = time.monotonic() + 120
while not any(crypto.key_id_of(value) == "2026-11" for value in
              P.objects.filter(pk__in=first).values_list("client_secret_encrypted", flat=True)):
    assert time.monotonic() < deadline, "the rotation did not begin"
    time.sleep(0.002)
random.shuffle(mine)
written = {}
for pk in mine:
    row = P(pk=pk)
    row.set_secret(f"{parity}-{pk}")
    P.objects.filter(pk=pk).update(client_secret_encrypted=row.client_secret_encrypted)
    written[pk] = f"{parity}-{pk}"
print(json.dumps(written))
"""

READ = """
import json
from limen.audit.models import AuditEvent
from limen.factors.eid.models import UpstreamProvider as P
print(json.dumps({"secrets": {p.pk: p.secret() for p in P.objects.all()},
                  "audited": AuditEvent.objects.filter(event="secrets.rotated").count()}))
"""


class Instance:
    """Limen's processes on one database and data directory (no server needed: commands are processes)."""

    def __init__(self, server: LimenServer):
        self.server = server

    def command(self, *args: str, keys: str | None = None) -> tuple[list[str], dict]:
        env = dict(self.server.env)
        if keys is not None:
            env["LIMEN_ENCRYPTION_KEYS"] = keys
        return [sys.executable, "-m", "limen.cli", *args], env

    def run(self, *args: str, keys: str | None = None) -> subprocess.CompletedProcess:
        argv, env = self.command(*args, keys=keys)
        return subprocess.run(argv, env=env, cwd=self.server.data_dir, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=300)

    def start(self, *args: str, keys: str | None = None) -> subprocess.Popen:
        argv, env = self.command(*args, keys=keys)
        return subprocess.Popen(argv, env=env, cwd=self.server.data_dir, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)

    def shell(self, script: str, *, keys: str | None = None) -> str:
        result = self.run("shell", "-c", script, keys=keys)
        assert result.returncode == 0, result.stderr
        return result.stdout


@pytest.fixture
def instance():
    server = LimenServer(name="rotate-secrets", email_url="console:", database_url=same_database_kind("rotate"))
    try:
        migrated = Instance(server).run("migrate", "--noinput")
        assert migrated.returncode == 0, migrated.stderr
        yield Instance(server)
    finally:
        server.stop()


def field_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.strip().startswith(LABEL + ":"))


def test_rotation_while_instances_write(instance, tmp_path):
    instance.shell(CREATE)
    new = new_key()
    during, after = f"2026-11:{new},legacy", f"2026-11:{new}"
    ready = [tmp_path / "ready-0", tmp_path / "ready-1"]

    # `limen shell -c` passes no arguments: the writer reads them from sys.argv, set by a small prologue.
    def writer(parity: int, keys: str | None) -> subprocess.Popen:
        prologue = f"import sys; sys.argv = ['writer', '{parity}', '{ready[parity]}']\n"
        return instance.start("shell", "-c", prologue + WRITER, keys=keys)

    writers = [writer(0, None),  # an instance not yet restarted: LIMEN_ENCRYPTION_KEYS unset, the key of before
               writer(1, during)]  # an instance restarted with the new key first
    written = {}
    try:
        deadline = time.monotonic() + 120
        while not all(path.exists() for path in ready):
            assert time.monotonic() < deadline and all(w.poll() is None for w in writers), \
                "".join(w.stderr.read() for w in writers if w.poll() is not None)
            time.sleep(0.05)
        rotation = instance.run("rotate_secrets", "--batch", str(BATCH), keys=during)
        for process in writers:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            written.update({int(pk): secret for pk, secret in json.loads(out.strip().splitlines()[-1]).items()})
    finally:
        for process in writers:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert rotation.returncode == 0, rotation.stdout + rotation.stderr
    assert f"{ROWS} in all" in field_line(rotation.stdout)
    assert len(written) == ROWS

    # The old instance wrote with the key of before: --check says so until a second run (if it wrote
    # rows after the rotation had passed them, which depends on timing).
    check = instance.run("rotate_secrets", "--check", keys=during)
    assert check.returncode == (0 if "; 0 under older keys" in field_line(check.stdout) else 1), check.stdout
    assert instance.run("rotate_secrets", keys=during).returncode == 0
    check = instance.run("rotate_secrets", "--check", keys=during)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"{ROWS} in all; {ROWS} under the newest key" in field_line(check.stdout)

    # The key of before is removed (every instance restarted): every secret reads, and none was lost.
    state = json.loads(instance.shell(READ, keys=after).strip().splitlines()[-1])
    lost = {pk: value for pk, value in state["secrets"].items() if value != written[int(pk)]}
    assert not lost, f"{len(lost)} change(s) overwritten by the rotation"
    assert state["audited"] == 2
    final = instance.run("rotate_secrets", "--check", keys=after)
    assert final.returncode == 0, final.stdout + final.stderr
