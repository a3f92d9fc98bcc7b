"""Log lines: JSON with a fixed set of keys, the request id and instance on each, secrets masked."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest
from gunicorn.glogging import SafeAtoms

from limen.core import config, logs
from tests.support.pages import sign_in


def capture(logger: logging.Logger):
    """A handler with the filters and formatter of `limen serve` on ``logger``, and a function that gives
    the lines it wrote (parsed), with that handler as its ``handler``."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.ContextFilter())
    handler.addFilter(logs.RedactingFilter())
    handler.setFormatter(logs.JsonFormatter())
    logger.addHandler(handler)

    def lines():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    lines.handler = handler
    return lines


@pytest.fixture
def captured():
    """Lines written by the ``limen`` loggers."""
    lines = capture(logging.getLogger("limen"))
    yield lines
    logging.getLogger("limen").removeHandler(lines.handler)


def test_a_line_is_one_json_object_with_the_fixed_keys(captured):
    logging.getLogger("limen.test").warning("two\nlines %s", "here")
    (line,) = captured()
    assert set(line) == {"time", "level", "logger", "message", "instance", "pid", "request_id"}
    assert line["level"] == "WARNING" and line["logger"] == "limen.test"
    assert line["message"] == "two\nlines here"
    assert line["time"].endswith("Z")
    assert line["request_id"] is None  # not in a request


def test_instance_name_from_the_environment(monkeypatch, captured):
    monkeypatch.setenv("LIMEN_INSTANCE", "limen-eu-1")
    captured.handler.filters[0] = logs.ContextFilter()  # reads the name when made
    logging.getLogger("limen.test").info("hello")
    assert captured()[-1]["instance"] == "limen-eu-1"


def test_every_line_of_a_request_carries_its_id(client, make_user, captured):
    user = make_user(email="ada.lovelace@example.org")
    response = sign_in(client, user, "Wrong-password-1")
    lines = [line for line in captured() if line["logger"] == "limen.audit"]
    assert lines and all(line["request_id"] == response["X-Request-ID"] for line in lines)
    failed = next(line for line in lines if line.get("event") == "signin.failed")
    assert failed["account"] == user.pk
    text = json.dumps(captured())
    assert "ada.lovelace@example.org" not in text and "Wrong-password-1" not in text


def test_secrets_in_messages_arguments_and_tracebacks_are_masked(captured):
    log = logging.getLogger("limen.test")
    log.info("posted password=%s for %s", "Hunter-2-secret", "ada.lovelace@example.org")
    try:
        raise ValueError("token=abcdef123456 for grace@example.org")
    except ValueError:
        log.exception("failed with code=%d", 123456)
    text = json.dumps(captured())
    for secret in ("Hunter-2-secret", "ada.lovelace@", "abcdef123456", "grace@", "123456"):
        assert secret not in text
    assert "a***@example.org" in text


def test_the_sms_development_gateway_does_not_log_the_code(captured):
    from limen.notify.sms import ConsoleGateway

    ConsoleGateway().send("+33612345678", "918273 is your Limen code.")
    text = json.dumps(captured())
    assert "918273" not in text and "+33612345678" in text


def _access_record(atoms: dict, fmt: str = '%(h)s "%(r)s" %(s)s') -> logging.LogRecord:
    return logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, fmt, (SafeAtoms(atoms),), None)


def test_gunicorn_access_lines_have_http_fields_the_request_id_and_no_secrets():
    record = _access_record({
        "h": "192.0.2.7", "r": "GET /cas/serviceValidate?ticket=ST-AbCdEfGhIjKlMnOp&service=x HTTP/1.1",
        "s": "200", "m": "GET", "U": "/cas/serviceValidate", "q": "ticket=ST-AbCdEfGhIjKlMnOp&service=x",
        "D": 12345, "B": 321, "{x-request-id}o": "0f8fad5bd9cb469fa16570867728950e",
    })
    assert logs.ContextFilter().filter(record) and logs.RedactingFilter().filter(record)
    line = json.loads(logs.JsonFormatter().format(record))
    assert "AbCdEfGhIjKlMnOp" not in json.dumps(line)
    assert line["request_id"] == "0f8fad5bd9cb469fa16570867728950e"
    assert line["http"] == {"method": "GET", "path": "/cas/serviceValidate", "status": 200, "duration_ms": 12.345,
                            "remote": "192.0.2.7", "bytes": 321}


def test_uvicorn_access_lines_have_the_same_http_fields_and_no_secrets():
    """The async worker's (limen serve's default) access line, as uvicorn logs it."""
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', (
        "192.0.2.7:50123", "GET", "/cas/serviceValidate?ticket=ST-AbCdEfGhIjKlMnOp&service=x", "1.1", 200), None)
    assert logs.ContextFilter().filter(record) and logs.RedactingFilter().filter(record)
    line = json.loads(logs.JsonFormatter().format(record))
    assert "AbCdEfGhIjKlMnOp" not in json.dumps(line)
    assert line["http"] == {"method": "GET", "path": "/cas/serviceValidate", "status": 200, "duration_ms": None,
                            "remote": "192.0.2.7", "bytes": None}
    assert line["message"] == '192.0.2.7:50123 - "GET /cas/serviceValidate HTTP/1.1" 200'  # no query string


@pytest.fixture(params=["direct", "through logging"])
def access_lines(request):
    """What logs.access_line writes, its log at INFO with `limen serve`'s one handler: written directly, or
    through ``logging`` (a filter on the logger, as an operator's configuration might add)."""
    logger, level, handlers = logs.ACCESS_LOG, logs.ACCESS_LOG.level, logs.ACCESS_LOG.handlers[:]
    for handler in handlers:
        logger.removeHandler(handler)
    lines = capture(logger)
    passing = logging.Filter()
    if request.param == "through logging":
        logger.addFilter(passing)
    assert (logs._plain_json_handler() is lines.handler) == (request.param == "direct")
    logger.setLevel(logging.INFO)
    yield lines
    logger.removeHandler(lines.handler)
    logger.removeFilter(passing)
    for handler in handlers:
        logger.addHandler(handler)
    logger.setLevel(level)


def test_limen_serves_access_line_has_the_duration_and_the_size_and_no_secrets(access_lines):
    token = "Zx9" * 15
    scope = {"client": ("192.0.2.7", 50123), "method": "GET", "path": f"/account/verify/{token}/",
             "raw_path": f"/account/verify/{token}/".encode(), "query_string": b"ticket=ST-AbCdEfGhIjKlMnOp",
             "http_version": "1.1"}
    logs.access_line(scope, 302, 0, 0.0123456)
    logs.access_line({**scope, "client": None, "raw_path": None, "path": "/caf\u00e9 x"}, 404, 179, 2.5)
    first, second = access_lines()
    assert token not in json.dumps(first) and "AbCdEfGhIjKlMnOp" not in json.dumps(first)
    assert first["logger"] == "uvicorn.access"
    assert first["message"] == '192.0.2.7:50123 - "GET /account/verify/[redacted]/ HTTP/1.1" 302'
    assert first["http"] == {"method": "GET", "path": "/account/verify/[redacted]/", "status": 302,
                             "duration_ms": 12.346, "remote": "192.0.2.7", "bytes": 0}
    # No raw path (a server that gives none): the path quoted, as uvicorn's own line showed it.
    assert second["http"] == {"method": "GET", "path": "/caf%C3%A9%20x", "status": 404, "duration_ms": 2500.0,
                              "remote": "-", "bytes": 179}


def test_the_direct_access_line_is_the_line_logging_writes(access_lines):
    """Written directly or through logging, an access line is the same text (but for its time)."""
    from limen.core import request_id

    scope = {"client": ("2001:db8::7", 50123), "method": "POST", "path": "/oidc/token", "raw_path": b"/oidc/token",
             "query_string": b"", "http_version": "1.1"}
    request_id.bind("req-0123456789")
    try:
        logs.access_line(scope, 200, 1536, 0.001)
    finally:
        request_id.bind(None)
    logs.access_line({**scope, "raw_path": "/caf\u00e9".encode()}, 404, 179, 0.25)
    logs.ACCESS_LOG.addFilter(through_logging := logging.Filter())
    try:
        assert logs._plain_json_handler() is None
        request_id.bind("req-0123456789")
        logs.access_line(scope, 200, 1536, 0.001)
        request_id.bind(None)
        logs.access_line({**scope, "raw_path": "/caf\u00e9".encode()}, 404, 179, 0.25)
    finally:
        logs.ACCESS_LOG.removeFilter(through_logging)
        request_id.bind(None)
    raw = access_lines.handler.stream.getvalue().splitlines()
    assert len(raw) == 4
    for first, again in ((raw[0], raw[2]), (raw[1], raw[3])):
        assert first[first.index('"level"'):] == again[again.index('"level"'):]  # byte for byte, after the time
    assert json.loads(raw[0])["request_id"] == "req-0123456789" and json.loads(raw[1])["request_id"] is None
    assert json.loads(raw[1])["message"] == '2001:db8::7:50123 - "POST /caf\u00c3\u00a9 HTTP/1.1" 404'


@pytest.mark.parametrize("change", ["text format", "second handler", "file handler", "level above info",
                                    "filter of its own", "no redaction", "passed on to the root"])
def test_any_other_access_log_configuration_goes_through_logging(access_lines, change):
    handler, propagates = access_lines.handler, logs.ACCESS_LOG.propagate
    if change == "text format":
        handler.setFormatter(logs.TextFormatter())
    elif change == "second handler":
        logs.ACCESS_LOG.addHandler(logging.NullHandler())
    elif change == "file handler":
        logs.ACCESS_LOG.removeHandler(handler)
        logs.ACCESS_LOG.addHandler(logging.FileHandler("/dev/null", delay=True))
    elif change == "level above info":
        handler.setLevel(logging.WARNING)
    elif change == "filter of its own":
        handler.addFilter(logging.Filter())
    elif change == "no redaction":
        handler.removeFilter(handler.filters[1])
    else:
        logs.ACCESS_LOG.propagate = True
    try:
        assert logs._plain_json_handler() is None
    finally:
        logs.ACCESS_LOG.propagate = propagates
        for extra in logs.ACCESS_LOG.handlers[:]:
            if extra is not handler:
                logs.ACCESS_LOG.removeHandler(extra)


def test_a_direct_access_line_that_cannot_be_written_is_reported_and_the_request_goes_on(access_lines, capsys):
    class Broken(io.StringIO):
        def write(self, text):
            raise OSError("disk full")

    access_lines.handler.setStream(Broken())
    logs.access_line({"client": None, "method": "GET", "path": "/", "http_version": "1.1"}, 200, 2, 0.001)
    assert "disk full" in capsys.readouterr().err  # logging's own report (logging.raiseExceptions)


def test_no_access_line_is_made_when_its_log_is_off(access_lines):
    logs.ACCESS_LOG.setLevel(logging.WARNING)
    logs.access_line({"client": None, "method": "GET", "path": "/", "http_version": "1.1"}, 200, 2, 0.001)
    assert access_lines() == []


@pytest.mark.parametrize("created", [0.0, 1.0, 1.001, 59.999, 1764547200.0, 1764547200.0005, 1764547200.001,
                                     1764547200.123, 1764547200.9999, 1764547200.9999997, 1764547201.25,
                                     1798761599.999, 4102444800.123])
def test_times_are_utc_to_the_millisecond(created):
    import datetime as dt

    expected = dt.datetime.fromtimestamp(created, tz=dt.timezone.utc).isoformat(timespec="milliseconds")
    assert logs._iso(created) == expected.replace("+00:00", "Z")
    assert logs._iso(created) == expected.replace("+00:00", "Z")  # the second again, from what it kept


def test_a_secret_in_the_path_of_an_access_line_is_masked():
    token = "Zx9" * 15
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', (
        "192.0.2.7:50123", "GET", f"/account/verify/{token}/?next=/", "1.1", 302), None)
    assert logs.RedactingFilter().filter(record)
    assert token not in record.getMessage() and "[redacted]" in record.getMessage()
    assert record.http["path"] == "/account/verify/[redacted]/"


def test_text_lines_are_for_people_and_masked_too():
    record = logging.LogRecord("limen.test", logging.INFO, __file__, 1, "sent to %s", ("ada@example.org",), None)
    logs.ContextFilter().filter(record)
    logs.RedactingFilter().filter(record)
    line = logs.TextFormatter().format(record)
    assert "INFO limen.test [-] sent to a***@example.org" in line


@pytest.mark.parametrize("fmt", logs.FORMATS)
def test_the_configuration_is_accepted_by_logging(fmt):
    from logging.config import dictConfig

    saved = {name: (logging.getLogger(name).handlers[:], logging.getLogger(name).level,
                    logging.getLogger(name).propagate) for name in ("", "limen", "django.request")}
    try:
        dictConfig(logs.logging_config(fmt, "INFO"))
        assert logging.getLogger("limen").handlers[0].formatter.__class__.__name__.lower().startswith(fmt)
    finally:
        for name, (handlers, level, propagate) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate = propagate


def test_an_unknown_format_stops_the_start(monkeypatch):
    monkeypatch.setenv("LIMEN_LOG_FORMAT", "xml")
    with pytest.raises(config.ConfigurationError, match="LIMEN_LOG_FORMAT"):
        config.env_choice("LIMEN_LOG_FORMAT", "text", logs.FORMATS)


def test_logs_go_to_standard_output():
    assert logs.logging_config("json")["handlers"]["console"]["stream"] == "ext://sys.stdout"
    assert sys.stdout  # containers collect standard output
