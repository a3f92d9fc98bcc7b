"""Limen's log lines: one JSON object per line for `limen serve`, readable text for `limen run`.

LIMEN_LOG_FORMAT chooses (``json`` or ``text``). Every line, whatever its format, goes
through two filters: ``ContextFilter`` adds the request id (``core.request_id``) and
the instance name (LIMEN_INSTANCE, by default the host name); ``RedactingFilter``
masks passwords, codes, tokens, tickets and e-mail addresses (``core.redact``).

A JSON line has a fixed set of keys, never arbitrary ``extra`` values::

    {"time": "2025-01-31T09:00:00.123Z", "level": "INFO", "logger": "limen.audit",
     "message": "audit signin.failed user=42 ip=192.0.2.7", "instance": "limen-1", "pid": 812,
     "request_id": "6f1c…", "event": "signin.failed", "account": 42}

``event`` and ``account`` appear on audit lines (``extra={"event": ..., "account": ...}``);
access lines add ``http`` (method, path, status, duration, client address, body size): gunicorn's under
``limen serve --server sync``, and ``access_line()``'s, which limen.server.bridge writes for every response
of the default server once it is written (under the name of uvicorn's access log, which it replaces).
``logging_config()`` builds the dictConfig used both by Django's settings and by
gunicorn (``gunicorn_conf.py``), so that every line of a process looks alike.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import socket
import time
from collections.abc import Mapping
from urllib.parse import quote

from . import redact, request_id

FORMATS = ("json", "text")

# No line shows where it was logged from, nor the thread's or process's name: not looking them up is a
# tenth of the cost of a line (31.6 -> 28.6 us; the Python logging HOWTO's "Optimization"), and an access
# line is written for every request.
logging._srcfile = None
logging.logThreads = False
logging.logMultiprocessing = False


def instance_name() -> str:
    return os.environ.get("LIMEN_INSTANCE", "").strip() or socket.gethostname()


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``instance`` to every record."""

    def __init__(self, name: str = ""):
        super().__init__(name)
        self.instance = instance_name()

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id.current() or _access_request_id(record)
        record.instance = self.instance
        return True


def _access_request_id(record: logging.LogRecord) -> str | None:
    """gunicorn's access line carries the response's X-Request-ID among its atoms."""
    args = record.args
    if isinstance(args, Mapping):
        value = args.get("{x-request-id}o")
        if isinstance(value, str) and value not in {"", "-"}:
            return value
    return None


class RedactingFilter(logging.Filter):
    """Masks secrets and e-mail addresses in the message (see core.redact)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            # The access line of every request: written from the fields, whose path is the only part that
            # can hold a secret (a link's token), with no query string (tickets, codes), as gunicorn's "U".
            # Masking the whole formatted line instead was a tenth of a CAS validation's CPU.
            record.http = http = _uvicorn_access_fields(args, getattr(record, "timing", None))
            record.msg, record.args = _access_message(args, http), ()
            return True
        if isinstance(args, Mapping):
            # gunicorn's access atoms: the ones its format and the JSON line show are masked in place,
            # so that its own lookups keep working.
            for key in set(_FORMAT_KEYS.findall(str(record.msg))) | set(ACCESS_ATOMS):
                value = args.get(key)
                if isinstance(value, str):
                    dict.__setitem__(args, key, redact.text(value))
        elif args:
            try:
                record.msg, record.args = record.getMessage(), ()
            except Exception:  # a broken format: logging reports it when the line is written
                return True
        if isinstance(record.msg, str):
            record.msg = redact.text(record.msg)
        return True


_FORMAT_KEYS = re.compile(r"%\(([^)]+)\)")
ACCESS_ATOMS = ("r", "U", "q", "f", "a", "m", "h")


_second: tuple[int, str] = (-1, "")  # the last whole second formatted: most lines share it with the one before


def _iso(created: float) -> str:
    """``created`` in UTC to the millisecond, as ISO 8601 (2025-01-31T09:00:00.123Z)."""
    global _second
    fraction, whole = math.modf(created)
    micro = round(fraction * 1e6)  # as datetime.fromtimestamp rounds, so that lines keep their times
    if micro >= 1_000_000:
        whole, micro = whole + 1, micro - 1_000_000
    second = _second
    if second[0] != whole:
        second = _second = (int(whole), time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
    return f"{second[1]}.{micro // 1000:03d}Z"


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)  # json.dumps would make one per line


def _entry(created: float, level: str, logger: str, message: str, instance: str, pid: int | None,
           request_id: str | None) -> dict:
    """The keys every JSON line starts with, in their order."""
    return {"time": _iso(created), "level": level, "logger": logger, "message": message, "instance": instance,
            "pid": pid, "request_id": request_id}


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with a fixed set of keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry = _entry(record.created, record.levelname, record.name, record.getMessage(),
                       getattr(record, "instance", None) or instance_name(), record.process,
                       getattr(record, "request_id", None))
        for key in ("event", "account"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value if isinstance(value, (int, float)) else str(value)
        http = getattr(record, "http", None) or _access_fields(record)
        if http:
            entry["http"] = http
        if record.exc_info:
            entry["exception"] = redact.text(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact.text(record.exc_text)
        if record.stack_info:
            entry["stack"] = redact.text(self.formatStack(record.stack_info))
        return _ENCODER.encode(entry)


def _access_fields(record: logging.LogRecord) -> dict | None:
    if record.name != "gunicorn.access" or not isinstance(record.args, Mapping):
        return None
    atoms = record.args
    try:
        duration_ms = round(int(atoms.get("D", 0)) / 1000, 3)
    except (TypeError, ValueError):
        duration_ms = None
    return {"method": atoms.get("m"), "path": atoms.get("U"), "status": _int(atoms.get("s")),
            "duration_ms": duration_ms, "remote": atoms.get("h"), "bytes": _int(atoms.get("B"))}


def _access_message(args: tuple, http: dict) -> str:
    """uvicorn's access message, with the masked path of ``http`` and no query string."""
    return f'{args[0]} - "{args[1]} {http["path"]} HTTP/{args[3]}" {args[4]}'


def _uvicorn_access_fields(args: tuple, timing: tuple[float, int] | None = None) -> dict:
    """The async worker's access line (uvicorn's arguments: client, method, path?query, version, status;
    ``access_line()``'s add the duration in ms and the body's size), shown as gunicorn's is; the query
    string stays out of it, as in gunicorn's path ("U")."""
    client, method, full_path, _version, status = args
    path = redact.text(str(full_path).partition("?")[0])
    duration_ms, size = timing or (None, None)
    return {"method": method, "path": path, "status": _int(status), "duration_ms": duration_ms,
            "remote": str(client).rpartition(":")[0] or client, "bytes": size}


ACCESS_LOG = logging.getLogger("uvicorn.access")
ACCESS_FORMAT = '%s - "%s %s HTTP/%s" %d'


def access_line(scope: dict, status: int, size: int, seconds: float) -> None:
    """The access line of a response `limen serve` has written (limen.server.bridge): uvicorn's line,
    with the time from the request's head to its last byte handed to the socket, and the body's size."""
    if not ACCESS_LOG.isEnabledFor(logging.INFO):
        return
    client = scope.get("client")
    raw = scope.get("raw_path")  # as the client sent it, as uvicorn's line showed it
    path = raw.decode("latin1") if raw else quote(scope.get("root_path", "") + scope["path"])
    args = (f"{client[0]}:{client[1]}" if client else "-", scope["method"], path, scope["http_version"], status)
    timing = (round(seconds * 1000, 3), size)
    handler = _plain_json_handler()
    if handler is None:
        ACCESS_LOG.info(ACCESS_FORMAT, *args, extra={"timing": timing})
    else:
        _write_access_line(handler, args, timing)


def _plain_json_handler() -> logging.StreamHandler | None:
    """The access log's one handler when it is the one ``logging_config()`` makes for JSON lines: a stream,
    Limen's two filters, no others, and the lines not passed on to the root logger. Its line is then written
    directly (``_write_access_line``), the same text as through ``logging`` for two thirds of the CPU
    (13 -> 9 us): a line is written for every request, and the line through ``logging`` was a tenth of the
    server's work on its lightest requests. Any other configuration goes through ``logging``."""
    handlers = ACCESS_LOG.handlers
    if len(handlers) != 1 or ACCESS_LOG.filters or ACCESS_LOG.propagate:
        return None
    handler = handlers[0]
    if (type(handler) is not logging.StreamHandler or type(handler.formatter) is not JsonFormatter
            or handler.level > logging.INFO or len(handler.filters) != 2
            or type(handler.filters[0]) is not ContextFilter or type(handler.filters[1]) is not RedactingFilter):
        return None
    return handler


def _write_access_line(handler: logging.StreamHandler, args: tuple, timing: tuple[float, int]) -> None:
    """What ``handler`` would write for the access line (ContextFilter, RedactingFilter, JsonFormatter)."""
    created = time.time()
    http = _uvicorn_access_fields(args, timing)
    message = _access_message(args, http)
    entry = _entry(created, "INFO", ACCESS_LOG.name, message, handler.filters[0].instance, os.getpid(),
                   request_id.current())
    entry["http"] = http
    line = _ENCODER.encode(entry) + handler.terminator
    with handler.lock:
        try:
            handler.stream.write(line)
            handler.flush()
        except Exception:  # noqa: BLE001 - as logging does: reported on stderr, the request goes on
            handler.handleError(logging.makeLogRecord({"name": ACCESS_LOG.name, "msg": message, "created": created}))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class TextFormatter(logging.Formatter):
    """A line for people: time, level, logger, [request id], message; tracebacks masked too."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        shown = logging.makeLogRecord(record.__dict__)  # the record is shared with other handlers
        shown.request_id = getattr(record, "request_id", None) or "-"
        return redact.text(super().format(shown))


def logging_config(fmt: str, level: str = "INFO") -> dict:
    """The dictConfig of a Limen process: Limen's loggers at ``level``, request errors, gunicorn's
    error and access logs, and every other library's warnings, all through the same filters."""
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
               "formatter": fmt, "filters": ["context", "redact"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}, "redact": {"()": RedactingFilter}},
        "formatters": {"json": {"()": JsonFormatter}, "text": {"()": TextFormatter}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            "limen": {"handlers": ["console"], "level": level, "propagate": False},
            # Server errors (500) with their traceback, also when LIMEN_DEBUG is off.
            "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # The async worker's (limen serve's default) own lines and access log.
            "uvicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
