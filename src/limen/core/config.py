"""Parsing of the operator's LIMEN_* environment variables.

Kept apart from settings.py so the parsing can be tested and the errors are
clear: a bad value stops the start with a message naming the variable.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import re
import secrets
from dataclasses import dataclass, field
from email.utils import parseaddr
from ipaddress import IPv4Network, IPv6Network, ip_network
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


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of ``choices``, compared without regard to case."""
    value = env_str(name, default)
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    raise ConfigurationError(name, f"expected one of {', '.join(choices)}, got {value!r}")


def env_networks(name: str, default: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """Comma-separated addresses or CIDR blocks (``127.0.0.1/32,10.0.0.0/8``); empty allows none."""
    networks = []
    for part in env_str(name, default).split(","):
        if not part.strip():
            continue
        try:
            networks.append(ip_network(part.strip(), strict=False))
        except ValueError:
            raise ConfigurationError(name, f"{part.strip()!r} is not an address or a CIDR block") from None
    return tuple(networks)


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


# PostgreSQL: a connection used without an error this recently is not checked before a request
# (limen.core.postgresql); ?health_check=always sets 0.
ALIVE_WINDOW_SECONDS = 0.5

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
        # Let psycopg keep prepared statements: only the cursors of limen.core.prepared ask for them (the
        # ORM's cursors bind on the client and never prepare). Measured on CAS validation: planning the
        # statement at each call was most of PostgreSQL's work (bench/README.md).
        # ?prepare=off turns it off, for poolers that cannot keep them (PgBouncer before 1.22, RDS Proxy).
        prepare = query.get("prepare", "on").lower()
        if prepare not in {"on", "off"}:
            raise ConfigurationError("LIMEN_DATABASE_URL", "prepare must be on or off (?prepare=off behind a "
                                                           "connection pooler that cannot keep prepared statements)")
        options = {"prepare_threshold": 5 if prepare == "on" else None}
        health_check = query.get("health_check", "idle").lower()
        if health_check not in {"idle", "always"}:
            raise ConfigurationError("LIMEN_DATABASE_URL", "health_check must be idle or always (always: check "
                                                           "the connection before every request)")
        if "sslmode" in query:
            options["sslmode"] = query["sslmode"]
        host = unquote(parts.hostname or "") or query.get("host", "")
        try:
            port = parts.port
        except ValueError:
            raise ConfigurationError("LIMEN_DATABASE_URL", "the port is not a number") from None
        return {
            "ENGINE": "limen.core.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "limen",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": host,
            "PORT": str(port or query.get("port", "")),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "ALIVE_WINDOW": ALIVE_WINDOW_SECONDS if health_check == "idle" else 0.0,
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
    return {"default": {"BACKEND": "limen.core.rediscache.RedisCache", "LOCATION": redis_url,
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


# --- keys for secrets at rest (limen.core.crypto, limen.core.keyring) -------------

LEGACY_KEY_ID = "legacy"
ENCRYPTION_KEY_BYTES = 32
ENCRYPTION_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}\Z")


@dataclass(frozen=True)
class EncryptionKey:
    """One entry of LIMEN_ENCRYPTION_KEYS: a named 32-byte key, or ``legacy`` (secret None)."""

    id: str
    secret: bytes | None = field(default=None, repr=False)


def _key_bytes(key_id: str, text: str) -> bytes:
    # Standard or URL-safe alphabet, padded (openssl rand -base64 32, or Python's urlsafe_b64encode).
    try:
        value = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError("LIMEN_ENCRYPTION_KEYS", f"the key {key_id!r} is not base64 "
                                                          "(make one with: openssl rand -base64 32)") from None
    if len(value) != ENCRYPTION_KEY_BYTES:
        raise ConfigurationError("LIMEN_ENCRYPTION_KEYS", f"the key {key_id!r} is {len(value)} bytes long; "
                                                          f"it must be {ENCRYPTION_KEY_BYTES} "
                                                          "(make one with: openssl rand -base64 32)")
    return value


def encryption_keys(raw: str) -> tuple[EncryptionKey, ...]:
    """LIMEN_ENCRYPTION_KEYS: ``id:base64-key`` entries, newest first, comma-separated.

    The first key encrypts; every listed key decrypts. ``legacy`` (no value)
    stands for the key Limen used before keys had names: LIMEN_ENCRYPTION_KEY,
    or the one derived from the secret key. Empty: only that key, as before.
    Error messages never repeat a key's value.
    """
    if not raw.strip():
        return ()
    keys: list[EncryptionKey] = []
    for position, entry in enumerate(raw.split(","), start=1):
        entry = entry.strip()
        if not entry:
            raise ConfigurationError("LIMEN_ENCRYPTION_KEYS", f"entry {position} is empty (a stray comma?)")
        key_id, colon, text = (part.strip() for part in entry.partition(":"))
        if key_id.lower() == LEGACY_KEY_ID:
            if colon:
                raise ConfigurationError("LIMEN_ENCRYPTION_KEYS", f"entry {position}: {LEGACY_KEY_ID!r} names the "
                                         "key of LIMEN_ENCRYPTION_KEY (or of the secret key) and takes no value; "
                                         "give your own keys another name")
            key = EncryptionKey(LEGACY_KEY_ID)
        elif not colon:
            raise ConfigurationError("LIMEN_ENCRYPTION_KEYS", f"entry {position}: write each key as "
                                     f"id:base64-key (e.g. 2026-11:…), or {LEGACY_KEY_ID}")
        elif not ENCRYPTION_KEY_ID.match(key_id):
            raise ConfigurationError("LIMEN_ENCRYPTION_KEYS", f"entry {position}: a key id is 1 to 32 letters, "
                                     "digits, '.', '_' or '-', starting with a letter or digit "
                                     f"(got {key_id[:40]!r})")
        else:
            key = EncryptionKey(key_id, _key_bytes(key_id, text))
        if any(other.id == key.id for other in keys):
            raise ConfigurationError("LIMEN_ENCRYPTION_KEYS", f"the key id {key.id!r} is listed twice")
        same = next((other for other in keys if key.secret is not None and other.secret == key.secret), None)
        if same is not None:
            raise ConfigurationError("LIMEN_ENCRYPTION_KEYS", f"the keys {same.id!r} and {key.id!r} are the same "
                                     "key: generate a new one for the new id")
        keys.append(key)
    return tuple(keys)


def check_legacy_key(keys: tuple[EncryptionKey, ...], encryption_key: str) -> None:
    """LIMEN_ENCRYPTION_KEY must not be set in vain: once LIMEN_ENCRYPTION_KEYS is set, ``legacy`` names it."""
    if keys and encryption_key and all(key.id != LEGACY_KEY_ID for key in keys):
        raise ConfigurationError("LIMEN_ENCRYPTION_KEY", f"is set, but LIMEN_ENCRYPTION_KEYS does not list "
                                 f"{LEGACY_KEY_ID!r}, which stands for it: add {LEGACY_KEY_ID} to "
                                 "LIMEN_ENCRYPTION_KEYS while secrets made with it remain, or unset "
                                 "LIMEN_ENCRYPTION_KEY once `limen rotate_secrets --check` passes")


# Names of hosts that receive no mail from the world: the privacy statement must not show an address there.
_LOCAL_SUFFIXES = (".localhost", ".local", ".test", ".invalid", ".example", ".internal", ".home.arpa")
_NO_REPLY = {"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply", "nobody",
             "mailer-daemon", "bounce", "bounces"}


def is_public_host(hostname: str) -> bool:
    """Whether a host name is a domain on the Internet (not an IP address, localhost or a reserved name)."""
    name = (hostname or "").strip(".").lower()
    try:
        ipaddress.ip_address(name.strip("[]"))
        return False
    except ValueError:
        pass
    return "." in name and name != "localhost" and not name.endswith(_LOCAL_SUFFIXES)


def webpush_subject(value: str, *, contact: str, sender: str) -> str:
    """The contact the VAPID claims give push services (RFC 8292 §2.1: a mailto: or https: URI):
    LIMEN_WEBPUSH_SUBJECT if set; else the privacy contact; else the sender's address."""
    if value:
        if value.startswith("https://") or (value.startswith("mailto:") and "@" in value):
            return value
        raise ConfigurationError("LIMEN_WEBPUSH_SUBJECT", "use mailto:<e-mail address> or an https:// address")
    if contact.startswith("https://"):
        return contact
    if contact:
        return f"mailto:{contact}"
    _name, address = parseaddr(sender or "")
    return f"mailto:{address or 'no-reply@localhost'}"


def privacy_contact(value: str, *, sender: str, sender_set: bool, hostname: str) -> str:
    """Where people write about their personal data, as the privacy statement shows it.

    LIMEN_PRIVACY_CONTACT (an e-mail address or an https:// page) if set; else the address of
    LIMEN_EMAIL_FROM when the operator set one that takes replies; else privacy@<host> when the site has a
    domain name. On a development address (an IP address, localhost) there is none: the statement then
    names no address, and shows operators what to set.
    """
    if value:
        if value.startswith("https://") or ("@" in value and " " not in value and not value.startswith("@")):
            return value
        raise ConfigurationError("LIMEN_PRIVACY_CONTACT", "use an e-mail address or an https:// address of a page")
    _name, address = parseaddr(sender or "")
    if sender_set and "@" in address:
        local, domain = address.rsplit("@", 1)
        if local.lower() not in _NO_REPLY and is_public_host(domain):
            return address
    return f"privacy@{hostname}" if is_public_host(hostname) else ""
