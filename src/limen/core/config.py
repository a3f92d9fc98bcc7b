"""Parsing of the operator's LIMEN_* environment variables.

Kept apart from settings.py so the parsing can be tested and the errors are
clear: a bad value stops the start with a message naming the variable.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigurationError(Exception):
    """A LIMEN_* variable has a value Limen cannot use."""

    def __init__(self, variable: str, message: str):
        super().__init__(f"{variable}: {message}")
        self.variable = variable


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(name, f"expected a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigurationError(name, f"expected a whole number, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ConfigurationError(name, f"must be {bounds}, got {value}")
    return value


def data_dir() -> Path:
    path = Path(env_str("LIMEN_DATA_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """LIMEN_SECRET_KEY, or a key generated once and kept in the data dir."""
    value = env_str("LIMEN_SECRET_KEY")
    if value:
        if len(value) < 32:
            raise ConfigurationError("LIMEN_SECRET_KEY", "must be at least 32 characters")
        return value
    path = directory / "secret_key"
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(50)
    # Create with 0600 from the start: the key signs sessions and encrypts secrets.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


SQLITE_OPTIONS = {"timeout": 20, "transaction_mode": "IMMEDIATE",
                  "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
# Keep SQLite connections open between requests: opening one (with its PRAGMAs)
# and closing it (the last WAL connection checkpoints) cost more than the request
# itself. Measured on CAS ticket validation: 4.4 ms of CPU per request with
# per-request connections, 1.0 ms with persistent ones (bench/README.md).
SQLITE_CONNECTIONS = {"CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True}


def database(url: str, directory: Path) -> dict:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(directory / "limen.sqlite3"),
            "OPTIONS": dict(SQLITE_OPTIONS),
            **SQLITE_CONNECTIONS,
        }
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path (as dj-database-url)
        name = unquote(parts.path)
        if name.startswith("/"):
            name = name[1:]
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name or str(directory / "limen.sqlite3"),
            "OPTIONS": dict(SQLITE_OPTIONS),
            **SQLITE_CONNECTIONS,
        }
    if parts.scheme in {"postgres", "postgresql"}:
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        options = {}
        if "sslmode" in query:
            options["sslmode"] = query["sslmode"]
        host = unquote(parts.hostname or "") or query.get("host", "")
        try:
            port = parts.port
        except ValueError:
            raise ConfigurationError("LIMEN_DATABASE_URL", "the port is not a number") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "limen",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": host,
            "PORT": str(port or query.get("port", "")),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ConfigurationError("LIMEN_DATABASE_URL", "use sqlite:///path or postgres://user:pass@host:port/name")


REDIS_SCHEMES = {"redis", "rediss", "unix"}
DATABASE_CACHE_TABLE = "limen_cache"


def caches(redis_url: str) -> dict:
    """LIMEN_REDIS_URL: the shared cache (rate-limit counters, e-mail caps, spent proofs of work) in Redis or Valkey.

    Without it, a table of the database (created by ``limen migrate``). With it,
    the ``redis`` package must be installed (``pip install 'limen[redis]'``):
    its absence stops the start here rather than at the first request.
    """
    if not redis_url:
        return {"default": {"BACKEND": "limen.core.dbcache.DatabaseCache",
                            "LOCATION": DATABASE_CACHE_TABLE, "OPTIONS": {"MAX_ENTRIES": 100000}}}
    parts = urlsplit(redis_url)
    if parts.scheme not in REDIS_SCHEMES or not (parts.netloc or parts.path):
        raise ConfigurationError("LIMEN_REDIS_URL", "use redis://host:6379/0, rediss://host:6380/0 (TLS) or "
                                                    "unix:///path/to/redis.sock")
    try:
        import redis  # noqa: F401  (Django's RedisCache imports it at the first request)
    except ImportError:
        raise ConfigurationError(
            "LIMEN_REDIS_URL", "is set, but the Python package redis is not installed in this environment. "
            "Install it with: pip install 'limen[redis]' (redis-py, with hiredis where available), "
            "or unset LIMEN_REDIS_URL to keep the counters in the database") from None
    # Short timeouts: a Redis that hangs must not hang requests (the limits then fail closed,
    # limen.core.ratelimit.LimitsUnavailable, and recover when Redis answers again).
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url,
                        "OPTIONS": {"socket_timeout": 1.0, "socket_connect_timeout": 1.0,
                                    "health_check_interval": 10}}}


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    file_path: str = ""
    sender: str = ""


def email(url: str, directory: Path) -> EmailConfig:
    """LIMEN_EMAIL_URL: smtp://[user:pass@]host:port[?starttls=1], smtps://..., console:, file:[path]."""
    if not url or url == "console:":
        return EmailConfig(backend="django.core.mail.backends.console.EmailBackend")
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = unquote(parts.path) or str(directory / "mail")
        return EmailConfig(backend="django.core.mail.backends.filebased.EmailBackend", file_path=path)
    if parts.scheme == "memory":
        return EmailConfig(backend="django.core.mail.backends.locmem.EmailBackend")
    if parts.scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ConfigurationError("LIMEN_EMAIL_URL", "an smtp URL needs a host, e.g. smtp://mail.example.org:587")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise ConfigurationError("LIMEN_EMAIL_URL", "the port is not a number") from None
        use_tls = query.get("starttls", "0").lower() in {"1", "true", "yes"}
        if use_tls and parts.scheme == "smtps":
            raise ConfigurationError("LIMEN_EMAIL_URL", "smtps:// already encrypts; use smtp://...?starttls=1 "
                                                        "or smtps:// without starttls")
        return EmailConfig(
            backend="django.core.mail.backends.smtp.EmailBackend",
            host=parts.hostname,
            port=port,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            use_ssl=parts.scheme == "smtps",
            use_tls=use_tls,
        )
    raise ConfigurationError("LIMEN_EMAIL_URL", "use smtp://host:port, smtps://host:port, console: or file:/path")


SMS_PLACEHOLDERS = ("{to}", "{to_digits}", "{text}", "{sender}")
LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}


def sms_url(url: str) -> str:
    """LIMEN_SMS_URL: ``console:`` (development) or an http(s) URL template of the SMS gateway.

    Plain http is refused except on the loopback interface: the codes and the
    gateway's credentials must not cross a network in clear.
    """
    if not url or url == "console:":
        return "console:"
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigurationError("LIMEN_SMS_URL", "use console: or an https:// URL of the SMS gateway, "
                                                  "e.g. https://sms.example.org/send?to={to}&text={text}")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise ConfigurationError("LIMEN_SMS_URL", "use https:// (plain http is only allowed to this machine)")
    return url


def sms_method(value: str) -> str:
    method = (value or "POST").upper()
    if method not in {"GET", "POST"}:
        raise ConfigurationError("LIMEN_SMS_METHOD", f"expected GET or POST, got {value!r}")
    return method


def check_sms_template(url: str, body: str) -> None:
    """The gateway must be told the number and the text somewhere in the URL or the body."""
    if url == "console:":
        return
    together = url + body
    if "{to}" not in together and "{to_digits}" not in together:
        raise ConfigurationError("LIMEN_SMS_URL", "the URL or LIMEN_SMS_BODY must contain {to} or {to_digits}")
    if "{text}" not in together:
        raise ConfigurationError("LIMEN_SMS_URL", "the URL or LIMEN_SMS_BODY must contain {text}")
