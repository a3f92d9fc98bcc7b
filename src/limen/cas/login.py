"""/cas/login: translate the CAS parameters into a requirement, and the evaluator's answer into CAS.

The answer is one of
- ``Redirect``: to sign-in, to step-up, to the application without a ticket
  (gateway), or to My Account when no application was named;
- ``Confirm``: the person asked to be warned before an application learns who
  they are (My Account preference);
- ``Issued``: a ticket, to be sent to the application by redirect or by POST.

Whether the person just presented credentials for this request (renew=true,
and the ``sso`` / isFromNewLogin attributes) is the evaluator's ``fresh``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from limen.access import gate as access_gate
from limen.audit.events import Event
from limen.audit.service import record
from limen.signin import levels
from limen.signin.evaluate import Confirm as EvaluatorConfirm
from limen.signin.evaluate import Proceed, Refused, SignIn, StepUp, evaluate
from limen.signin.transaction import Application, Requirement

from . import access_link, params, registry, tickets
from .errors import InvalidRequest, InvalidStrength, UnknownService, UnsupportedLevel
from .models import Service

LOGIN_PARAMS = ("service", "renew", "gateway", "method", "authenticationLevel", "acceptStrengths")
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
    if level > levels.max_level():
        raise UnsupportedLevel()
    renew = params.flag(p["renew"])
    return LoginRequest(service_url=p["service"], service=service, renew=renew,
                        gateway=params.flag(p["gateway"]) and not renew, method=method,
                        level=level, accept_strengths=accept)


def requirement_of(req: LoginRequest) -> Requirement:
    """What the CAS parameters ask of the sign-in, in the evaluator's terms."""
    return Requirement(
        application=Application(name=req.service.name, identifier=req.service_url, protocol="cas"),
        level=req.level or None, accept_strengths=tuple(req.accept_strengths or ()),
        force=req.renew, passive=req.gateway,
    )


def start(request, *, confirmed: bool = False) -> Redirect | Confirm | Issued:
    """Raises a CasError (shown on an error page) for a request Limen will not serve."""
    req = parse(request.GET)
    if req.service is None:
        home = reverse("accounts:my_account")
        outcome = evaluate(request, Requirement(), return_to=home, confirmed=True)
        return Redirect(home if isinstance(outcome, Proceed) else outcome.url)
    here = request.get_full_path()
    if len(here) > MAX_LOGIN_PATH:
        raise InvalidRequest(_("The sign-in request is too long."))
    outcome = evaluate(request, requirement_of(req), return_to=here, confirmed=confirmed)
    if isinstance(outcome, Refused):
        return Redirect(req.service_url)  # gateway: never ask; back to the application, no ticket
    if isinstance(outcome, (SignIn, StepUp)):
        return Redirect(outcome.url)
    if isinstance(outcome, EvaluatorConfirm):
        return Confirm(req.service)
    # An application that requires validated access (limen.access) gets the person once it is active.
    first = access_gate.redirect_for(request, access_link.ref(req.service), return_to=here)
    if first is not None:
        return Redirect(req.service_url if req.gateway else first)
    ticket = tickets.issue_service_ticket(request, service=req.service, service_url=req.service_url,
                                          from_sso=not outcome.fresh)
    record(Event.CAS_SIGNED_IN, user=request.user, request=request, service=req.service.name,
           sso=not outcome.fresh, level=levels.LEVEL_NAMES.get(ticket.level))
    return Issued(service=req.service, service_url=req.service_url, ticket=ticket.ticket, method=req.method)
