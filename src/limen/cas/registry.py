"""The service registry: which applications may sign in, and what they may see.

A pattern is either
- a URL prefix, ``https://app.example.org/portal/``: the service URL must have
  the same scheme, host and port, and its path must start with the pattern's
  path (at a ``/`` boundary unless the pattern's path ends with one); or
- a regular expression starting with ``^``, which must match the whole URL.

Service URLs with user information, backslashes, control characters, white
space or dot segments are never matched, so a pattern cannot be escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import sql
from limen.signin import levels
from limen.signin.models import Level

from .attributes import ATTRIBUTES
from .models import MAX_URL, ResponseLayout, Service

# Never in a service URL: whitespace (Unicode's, as str.isspace), control characters, DEL, a backslash
# (browsers read it as '/', urlsplit does not). One search in C, run twice per validation.
REFUSED_RE = re.compile(r"[\s\x00-\x1f\x7f\\]")


@dataclass(frozen=True)
class _Url:
    scheme: str
    host: str
    port: int
    path: str


def _parse(url: str) -> _Url | None:
    """A service URL split for matching, or None if it is not one we accept."""
    if not url or len(url) > MAX_URL or REFUSED_RE.search(url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.hostname or "@" in parts.netloc:
        return None
    path = parts.path or "/"
    segments = unquote(path).split("/")
    if "." in segments or ".." in segments:
        return None
    return _Url(parts.scheme, parts.hostname.lower().rstrip("."),
                port or (443 if parts.scheme == "https" else 80), path)


def is_acceptable_url(url: str) -> bool:
    return _parse(url) is not None


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def matches(pattern: str, url: str) -> bool:
    target = _parse(url)
    if target is None or not pattern:
        return False
    if pattern.startswith("^"):
        try:
            return _regex(pattern).fullmatch(url) is not None
        except re.error:
            return False
    base = _parse(pattern)
    if base is None or (base.scheme, base.host, base.port) != (target.scheme, target.host, target.port):
        return False
    if base.path.endswith("/"):
        return target.path.startswith(base.path)
    return target.path == base.path or target.path.startswith(base.path + "/")


# Every /cas/login asks for them: the ORM builds the statement once (limen.core.sql).
_enabled = sql.Select(lambda: Service.objects.filter(enabled=True))


def match(url: str) -> Service | None:
    """The enabled service whose pattern matches ``url``; the longest prefix wins, then regexes."""
    if _parse(url) is None:
        return None
    found = [s for s in _enabled() if matches(s.url_pattern, url)]
    found.sort(key=lambda s: (s.url_pattern.startswith("^"), -len(s.url_pattern)))
    return found[0] if found else None


def same_service(issued_for: str, presented: str) -> bool:
    """The validation's service is the one the ticket was issued for (host case and default port aside)."""
    if issued_for == presented:
        return True
    a, b = _parse(issued_for), _parse(presented)
    if a is None or b is None or a != b:
        return False
    return urlsplit(issued_for).query == urlsplit(presented).query


# Registration (used by the admin form and `limen cas_service`).

def check_pattern(pattern: str, *, field: str = "url_pattern") -> str:
    pattern = (pattern or "").strip()
    if not pattern:
        raise ValidationError({field: _("Enter a URL pattern.")})
    if len(pattern) > MAX_URL:
        raise ValidationError({field: _("The pattern is too long.")})
    if pattern.startswith("^"):
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValidationError({field: _("This is not a valid regular expression: %(error)s")
                                   % {"error": error}}) from None
        if not pattern.startswith("^http"):
            raise ValidationError({field: _("A regular expression must start with ^https:// or ^http://.")})
    elif _parse(pattern) is None:
        raise ValidationError({field: _("Enter an http or https URL such as https://app.example.org/.")})
    return pattern


def check_attributes(names) -> list[str]:
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
        if names == ["all"]:
            return list(ATTRIBUTES)
    unknown = [n for n in names if n not in ATTRIBUTES]
    if unknown:
        raise ValidationError({"attributes": _("Unknown attributes: %(names)s. Known: %(known)s.")
                               % {"names": ", ".join(unknown), "known": ", ".join(ATTRIBUTES)}})
    return [n for n in ATTRIBUTES if n in names]


def check_level(value) -> int:
    if isinstance(value, int) and value in Level.values:
        return value
    level = levels.parse_level(str(value or "BASIC"))
    if level is None:
        raise ValidationError({"level": _("Choose BASIC, MEDIUM or HIGH.")})
    return level


def check_slo_url(url: str) -> str:
    url = (url or "").strip()
    if url and _parse(url) is None:
        raise ValidationError({"slo_url": _("Enter an http or https URL, or leave it empty.")})
    return url


def check_response_layout(value: str) -> str:
    if value not in ResponseLayout.values:
        raise ValidationError({"response_layout": _("Choose a response layout: %(known)s.")
                               % {"known": ", ".join(ResponseLayout.values)}})
    return value


@transaction.atomic
def register(*, name: str, url_pattern: str, attributes=(), level="BASIC", slo_url: str = "",
             proxy_callback_pattern: str = "", response_layout: str | None = None, enabled: bool = True,
             operator=None, request=None) -> tuple[Service, bool]:
    """Create or update the service called ``name``; returns (service, created).

    ``response_layout`` None keeps an existing service's layout (a new one gets CAS 3.0's)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("Enter a name of at most 100 characters.")})
    values = {
        "url_pattern": check_pattern(url_pattern),
        "attributes": check_attributes(attributes),
        "level": check_level(level),
        "slo_url": check_slo_url(slo_url),
        "proxy_callback_pattern": (check_pattern(proxy_callback_pattern, field="proxy_callback_pattern")
                                   if proxy_callback_pattern else ""),
        "enabled": enabled,
    }
    if response_layout is not None:
        values["response_layout"] = check_response_layout(response_layout)
    clash = Service.objects.filter(url_pattern=values["url_pattern"]).exclude(name=name).first()
    if clash:
        raise ValidationError({"url_pattern": _("The application %(name)s already has this pattern.")
                               % {"name": clash.name}})
    service, created = Service.objects.update_or_create(name=name, defaults=values)
    saved(service, created=created, operator=operator, request=request)
    return service, created


def saved(service: Service, *, created: bool, operator=None, request=None) -> None:
    record(Event.CAS_SERVICE_SAVED, user=operator, request=request, service=service.name,
           url_pattern=service.url_pattern, created=created)


def remove(name: str, *, operator=None, request=None) -> bool:
    deleted, _ = Service.objects.filter(name=name).delete()
    if deleted:
        record(Event.CAS_SERVICE_REMOVED, user=operator, request=request, service=name)
    return bool(deleted)
