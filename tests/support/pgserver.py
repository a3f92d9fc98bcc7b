"""A throw-away PostgreSQL server for one test run.

    python -m tests.support.pgserver [--keep] [--] COMMAND [ARG...]

creates a cluster in a temporary directory (initdb), starts it on a free port
on 127.0.0.1 with its socket in that directory, creates the database
``limen``, runs COMMAND with ``LIMEN_DATABASE_URL`` pointing at it, then stops
the server and removes the directory, whatever happened. The exit status is
the command's.

PostgreSQL refuses to run as root: when the tests run as root (containers,
CI), initdb and pg_ctl run as the ``postgres`` system user (``runuser``) and
the directory belongs to it. As an ordinary user they run as that user.
The binaries are looked up in PG_BIN, then on PATH, then under
/usr/lib/postgresql/<newest>/bin (Debian) and /usr/pgsql-*/bin (RPM).

The cluster trusts local connections and is tuned for speed, not durability
(fsync off): it is meant to live for minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .ports import free_port

SERVER_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "64MB",
}


class PostgresError(RuntimeError):
    pass


def find_bin_dir() -> Path:
    candidates = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent)  # /usr/local/bin/pg_ctl -> .../15/bin

    def version(path: str) -> tuple:
        digits = "".join(ch if ch.isdigit() or ch == "." else " " for ch in path).split()
        return tuple(int(p) for p in digits[0].split(".") if p) if digits else ()

    for pattern in ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/usr/local/pgsql/bin"):
        candidates += [Path(p) for p in sorted(glob.glob(pattern), key=version, reverse=True)]
    for directory in candidates:
        if all((directory / tool).exists() for tool in ("initdb", "pg_ctl", "createdb")):
            return directory
    raise PostgresError(
        "PostgreSQL server binaries (initdb, pg_ctl, createdb) not found. Install them "
        "(Debian: apt-get install postgresql) or set PG_BIN to their directory."
    )


@dataclass
class PostgresServer:
    """Start with ``with PostgresServer() as pg:``; ``pg.url(dbname)`` gives a LIMEN_DATABASE_URL."""

    database: str = "limen"
    keep: bool = False
    port: int = 0
    directory: Path | None = None
    bin_dir: Path | None = None
    _run_as: list[str] = field(default_factory=list)
    _started: bool = False
    _options: str = ""

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self) -> "PostgresServer":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        self.bin_dir = find_bin_dir()
        self.directory = Path(tempfile.mkdtemp(prefix="limen-pg-"))
        owner = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam(os.environ.get("PG_OS_USER", "postgres"))
            except KeyError:
                raise PostgresError("running as root, but there is no 'postgres' system user to run PostgreSQL as "
                                    "(initdb refuses root); install the postgresql package or set PG_OS_USER") from None
            runuser = shutil.which("runuser") or "/usr/sbin/runuser"
            self._run_as = [runuser, "-u", owner.pw_name, "--"]
            os.chown(self.directory, owner.pw_uid, owner.pw_gid)
        os.chmod(self.directory, 0o755)  # the socket must be reachable by the test user
        data = self.directory / "data"
        self._run(["initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                   "--locale=C", "--no-instructions", "--no-sync"], "initdb")
        last_error = ""
        for _attempt in range(3):  # a free port can be taken between the check and the start
            self.port = free_port()
            options = " ".join(
                ["-c listen_addresses=127.0.0.1", f"-p {self.port}", f"-k {self.directory}"]
                + [f"-c {k}={v}" for k, v in SERVER_SETTINGS.items()]
            )
            result = self._run(["pg_ctl", "-D", str(data), "-l", str(self.directory / "server.log"),
                                "-o", options, "-w", "-t", "60", "start"], "pg_ctl start", check=False)
            if result.returncode == 0:
                self._started = True
                self._options = options
                break
            last_error = result.stdout + result.stderr + self.log_tail()
        else:
            raise PostgresError(f"PostgreSQL did not start:\n{last_error}")
        self.create_database(self.database)

    def restart(self) -> None:
        """Stop the server at once (as a crash would) and start it again on the same port."""
        data = str(self.directory / "data")
        self._run(["pg_ctl", "-D", data, "-m", "immediate", "-w", "-t", "30", "stop"], "pg_ctl stop")
        self._run(["pg_ctl", "-D", data, "-l", str(self.directory / "server.log"), "-o", self._options,
                   "-w", "-t", "60", "start"], "pg_ctl start")

    def stop(self) -> None:
        if self._started and self.directory:
            self._run(["pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "-w", "-t", "30", "stop"],
                      "pg_ctl stop", check=False)
            self._started = False
        if self.directory and not self.keep:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    # -- helpers -----------------------------------------------------------
    def url(self, database: str | None = None, *, socket: bool = False) -> str:
        """LIMEN_DATABASE_URL for this server: over TCP on 127.0.0.1, or through its Unix socket."""
        if socket:
            return f"postgres://postgres@:{self.port}/{database or self.database}?host={self.directory}"
        return f"postgres://postgres@127.0.0.1:{self.port}/{database or self.database}"

    def create_database(self, name: str) -> None:
        self._run(["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name], "createdb")

    def log_tail(self, lines: int = 40) -> str:
        log = self.directory / "server.log" if self.directory else None
        if log and log.exists():
            return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def _run(self, argv: list[str], what: str, check: bool = True) -> subprocess.CompletedProcess:
        command = self._run_as + [str(self.bin_dir / argv[0]), *argv[1:]]
        result = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                                cwd=self.directory or "/")
        if check and result.returncode != 0:
            raise PostgresError(f"{what} failed ({result.returncode}):\n{result.stdout}{result.stderr}{self.log_tail()}")
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="with-postgres", description=__doc__.split("\n\n")[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="limen", help="name of the database to create (default: limen)")
    parser.add_argument("--keep", action="store_true", help="keep the cluster directory afterwards (for debugging)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run, e.g. with-postgres -- pytest")

    # SIGTERM (CI cancelling the job) must still stop the server: turn it into an exception,
    # and pass the same signal on to the command.
    received = {"signal": signal.SIGINT}

    def terminate(signum, _frame):
        received["signal"] = signum
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    started = time.monotonic()
    try:
        with PostgresServer(database=args.database, keep=args.keep) as pg:
            env = dict(os.environ, LIMEN_DATABASE_URL=pg.url())
            print(f"with-postgres: PostgreSQL ({pg.bin_dir}) on 127.0.0.1:{pg.port}, "
                  f"LIMEN_DATABASE_URL={env['LIMEN_DATABASE_URL']} (started in {time.monotonic() - started:.1f}s)",
                  flush=True)
            child = subprocess.Popen(command, env=env)
            try:
                return child.wait()
            except KeyboardInterrupt:
                with contextlib.suppress(ProcessLookupError):
                    child.send_signal(received["signal"])
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
                raise
            finally:
                if args.keep:
                    print(f"with-postgres: cluster kept in {pg.directory}", flush=True)
    except PostgresError as error:
        print(f"with-postgres: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("with-postgres: interrupted; PostgreSQL stopped and removed", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
