"""/cas/login: decide whether a person gets a ticket for an application, or what is missing.

The answer is one of
- ``Redirect``: to sign-in, to step-up, to the application without a ticket
  (gateway), or to My Account when no application was named;
- ``Confirm``: the person asked to be warned before an application learns who
  they are (My Account preference);
- ``Issued``: a ticket, to be sent to the application by redirect or by POST.

Whether the person just presented credentials (for renew=true, and the
``sso`` attribute) is known by remembering, in the session, when Limen sent
them to sign in for this service URL and comparing with the SSO session's
authentication time when they come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock
from limen.signin import flow, levels, sessions

from . import params, registry, tickets
from .errors import InvalidRequest, InvalidStrength, UnknownService, UnsupportedLevel
from .models import Service

LOGIN_PARAMS = ("service", "renew", "gateway", "method", "authenticationLevel", "acceptStrengths")
PENDING_KEY = "limen.cas.pending"
PENDING_SECONDS = 600
PENDING_MAX = 5
# The sign-in pages follow ``next`` up to 2000 characters (limen.core.net.safe_next).
MAX_LOGIN_PATH = 2000


@dataclass(frozen=True)
class LoginRequest:
    service_url: str | None
    service: Service | None
    renew: bool
    gateway: bool
    method: str
    level: int
    accept_strengths: list[str] | None


@dataclass(frozen=True)
class Redirect:
    url: str


@dataclass(frozen=True)
class Confirm:
    service: Service


@dataclass(frozen=True)
class Issued:
    service: Service
    service_url: str
    ticket: str
    method: str

    @property
    def url(self) -> str:
        return with_ticket(self.service_url, self.ticket)


def with_ticket(service_url: str, ticket: str) -> str:
    parts = urlsplit(service_url)
    query = (parts.query + "&" if parts.query else "") + urlencode({"ticket": ticket})
    return urlunsplit(parts._replace(query=query))


def parse(query) -> LoginRequest:
    p = params.read(query, LOGIN_PARAMS)
    method = (p["method"] or "GET").upper()
    if method not in {"GET", "POST"}:
        raise InvalidRequest(_("The method must be GET or POST."))
    asked_level = None
    if p["authenticationLevel"]:
        asked_level = levels.parse_level(p["authenticationLevel"])
        if asked_level is None:
            raise InvalidRequest(_("The authentication level must be BASIC, MEDIUM or HIGH."))
    accept = levels.parse_strengths(p["acceptStrengths"])
    if accept == []:
        raise InvalidStrength()
    service = None
    if p["service"]:
        service = registry.match(p["service"])
        if service is None:
            raise UnknownService()
    level = max(service.level if service else 0, asked_level or 0)
    if level > max(levels.STRENGTH_LEVELS.values()):
        raise UnsupportedLevel()
    renew = params.flag(p["renew"])
    return LoginRequest(service_url=p["service"], service=service, renew=renew,
                        gateway=params.flag(p["gateway"]) and not renew, method=method,
                        level=level, accept_strengths=accept)


def _remember_sign_in(request, service_url: str) -> None:
    pending = dict(request.session.get(PENDING_KEY) or {})
    pending[service_url] = clock.now().timestamp()
    request.session[PENDING_KEY] = dict(sorted(pending.items(), key=lambda kv: kv[1])[-PENDING_MAX:])


def _just_signed_in(request, service_url: str) -> bool:
    """The person presented credentials after Limen sent them to sign in for this service."""
    started = (request.session.get(PENDING_KEY) or {}).get(service_url)
    current = sessions.current(request)
    if not started or not current or clock.now().timestamp() - started > PENDING_SECONDS:
        return False
    return current.get("auth_time", 0) >= started


def _forget(request, service_url: str) -> None:
    pending = dict(request.session.get(PENDING_KEY) or {})
    if pending.pop(service_url, None) is not None:
        request.session[PENDING_KEY] = pending


def start(request, *, confirmed: bool = False) -> Redirect | Confirm | Issued:
    """Raises a CasError (shown on an error page) for a request Limen will not serve."""
    req = parse(request.GET)
    signed_in = request.user.is_authenticated
    if req.service is None:
        home = reverse("accounts:my_account")
        return Redirect(home if signed_in else flow.ensure(request, home).url)
    here = request.get_full_path()
    if len(here) > MAX_LOGIN_PATH:
        raise InvalidRequest(_("The sign-in request is too long."))
    strengths = (sessions.current(request) or {}).get("strengths", [])
    if req.gateway and not (signed_in and levels.satisfies(strengths, level=req.level,
                                                           accept_strengths=req.accept_strengths)):
        return Redirect(req.service_url)  # gateway: never ask; back to the application, no ticket
    fresh = signed_in and _just_signed_in(request, req.service_url)
    if not signed_in or (req.renew and not fresh):
        _remember_sign_in(request, req.service_url)
        return Redirect(flow.ensure(request, here, renew=req.renew).url)
    step_up = flow.ensure(request, here, level=req.level or None, accept_strengths=req.accept_strengths)
    if step_up is not None:
        return Redirect(step_up.url)
    if request.user.warn_before_sso and not fresh and not confirmed:
        return Confirm(req.service)
    ticket = tickets.issue_service_ticket(request, service=req.service, service_url=req.service_url,
                                          from_sso=not fresh)
    _forget(request, req.service_url)
    record(Event.CAS_SIGNED_IN, user=request.user, request=request, service=req.service.name,
           sso=not fresh, level=levels.LEVEL_NAMES.get(ticket.level))
    return Issued(service=req.service, service_url=req.service_url, ticket=ticket.ticket, method=req.method)
