"""The state file: every account this authenticator holds, with its private key and device secret.

It lives at ~/.config/limen-authenticator/state.json (or $XDG_CONFIG_HOME,
--state, LIMEN_AUTHENTICATOR_STATE), is written atomically with mode 0600 in
a 0700 directory, and is refused if others can read it (like ssh does). It
never holds a PIN: with the biometric-style unlock on, the PIN is in the OS
keyring instead.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path

VERSION = 1


class StateError(Exception):
    pass


def default_path() -> Path:
    env = os.environ.get("LIMEN_AUTHENTICATOR_STATE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "limen-authenticator" / "state.json"


@dataclass
class Account:
    server: str
    device_id: str
    device_name: str
    email: str
    name: str
    hint: str
    private_key: str  # PKCS#8 PEM
    device_secret: str  # base64url
    ocra_suite: str
    site_name: str = "Limen"
    enrolled_at: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    biometric: bool = False

    @property
    def id(self) -> str:
        return hashlib.sha256(f"{self.server}|{self.device_id}".encode()).hexdigest()[:6]

    def label(self) -> str:
        return f"{self.email} @ {self.server}"


class State:
    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else default_path()
        self.accounts: list[Account] = []

    # --- reading and writing ---------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | None = None) -> "State":
        state = cls(path)
        if not state.path.exists():
            return state
        info = state.path.stat()
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise StateError(f"{state.path} can be read by other users; refusing to use it. "
                             f"Fix it with: chmod 600 {state.path}")
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise StateError(f"{state.path} belongs to another user; refusing to use it.")
        try:
            data = json.loads(state.path.read_text(encoding="utf-8"))
            if data.get("version") != VERSION:
                raise StateError(f"{state.path} was written by another version of limen-authenticator")
            state.accounts = [Account(**entry) for entry in data.get("accounts", [])]
        except (ValueError, TypeError) as exc:
            raise StateError(f"{state.path} is damaged: {exc}") from None
        return state

    def save(self) -> None:
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = directory / f".{self.path.name}.{os.getpid()}.tmp"
        data = json.dumps({"version": VERSION, "accounts": [asdict(a) for a in self.accounts]}, indent=2)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(data + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        finally:
            if tmp.exists():
                tmp.unlink()

    @classmethod
    @contextlib.contextmanager
    def editing(cls, path: Path | None = None):
        """Load, let the caller change, save; one writer at a time (other processes wait)."""
        target = Path(path) if path else default_path()
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock_path = target.parent / f".{target.name}.lock"
        fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            state = cls.load(target)
            yield state
            state.save()
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # --- finding accounts ----------------------------------------------------------------

    def select(self, selector: str | None) -> list[Account]:
        """All accounts, or those whose id, e-mail or server matches ``selector``."""
        if not selector:
            return list(self.accounts)
        chosen = [a for a in self.accounts
                  if a.id == selector or a.email.casefold() == selector.casefold() or a.server == selector.rstrip("/")]
        if not chosen:
            raise StateError(f"no account matches {selector!r}; see: limen-authenticator accounts")
        return chosen

    def one(self, selector: str | None) -> Account:
        chosen = self.select(selector)
        if not chosen:
            raise StateError("no account yet; enrol one first: limen-authenticator enrol --qr <image>")
        if len(chosen) > 1:
            raise StateError("several accounts match; choose one with --account <id> (see: limen-authenticator accounts)")
        return chosen[0]

    def for_otp(self, server: str, hint: str) -> Account:
        server = server.rstrip("/")
        for account in self.accounts:
            if account.server == server and account.hint == hint:
                return account
        raise StateError("this QR code is for an account this authenticator does not hold")

    def remove(self, account: Account) -> None:
        self.accounts = [a for a in self.accounts if a.id != account.id]
