"""Issue and validate tickets: service (ST-), proxy (PT-) and proxy-granting (PGT-).

Every ticket carries more than 168 bits from the operating system's random
source, in the characters CAS allows (ticket_ids.py).
A service or proxy ticket is consumed by its first validation attempt,
whatever the outcome (one conditional UPDATE, so two processes can never
both accept it; ticket_store.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from limen.core import clock, metrics, sql
from limen.signin import levels, sessions
from limen.signin.models import SsoSession

from . import attributes, outbound, params, registry, ticket_ids, ticket_store
from .errors import (
    CasError,
    InsufficientAuthenticationLevel,
    InvalidProxyCallback,
    InvalidService,
    InvalidStrength,
    InvalidTicket,
    InvalidTicketSpec,
    UnauthorizedService,
    UnauthorizedServiceProxy,
)
from .models import ProxyGrantingTicket, Service, ServiceTicket

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _issue(prefix: str, *, service: Service, service_url: str, user, sso_session: SsoSession | None,
           auth_time: dt.datetime, strengths: list[str], level: int, from_sso: bool,
           proxies: list[str] = ()) -> ServiceTicket:
    now = clock.now()
    metrics.cas_ticket(prefix)
    return sql.create(ServiceTicket(  # one INSERT written once: no signal listens, no auto_now field
        ticket=ticket_ids.new(prefix), service=service, service_url=service_url, user=user, sso_session=sso_session,
        created=now, expires=now + dt.timedelta(seconds=settings.CAS_TICKET_SECONDS),
        auth_time=auth_time, strengths=list(strengths), level=level, from_sso=from_sso, proxies=list(proxies),
    ))


# Asked at every ticket: the ORM builds it once (limen.core.sql). ``.first()`` orders by id.
_sso_session = sql.Select(lambda key: SsoSession.objects.filter(session_key=key).order_by("pk")[:1])


def issue_service_ticket(request, *, service: Service, service_url: str, from_sso: bool) -> ServiceTicket:
    """A service ticket for the person signed in on ``request``, from their SSO session."""
    current = sessions.current(request) or {}
    strengths = list(current.get("strengths") or [levels.PASSWORD])
    sso_session = _sso_session.first(request.session.session_key)
    auth_time = dt.datetime.fromtimestamp(current.get("auth_time") or clock.now().timestamp(), tz=dt.timezone.utc)
    return _issue("ST", service=service, service_url=service_url, user=request.user, sso_session=sso_session,
                  auth_time=auth_time, strengths=strengths, level=levels.level_of(strengths), from_sso=from_sso)


@dataclass
class Validated:
    ticket: ticket_store.ConsumedTicket
    user: str
    attributes: dict
    facts: dict  # attributes.authentication_facts
    pgt_iou: str | None = None
    proxies: list[str] = field(default_factory=list)


def validate(*, ticket: str, service_url: str, proxy_tickets: bool, renew: bool = False,
             pgt_url: str | None = None, level: int | None = None,
             accept_strengths: list[str] | None = None) -> Validated:
    """Check a ticket presented by ``service_url``; raises a CasError with the protocol's code.
    Every outcome is counted (limen_cas_validations_total)."""
    try:
        result = _validate(ticket=ticket, service_url=service_url, proxy_tickets=proxy_tickets, renew=renew,
                           pgt_url=pgt_url, level=level, accept_strengths=accept_strengths)
    except CasError as error:
        metrics.cas_validation(error.code)
        raise
    except Exception:
        metrics.cas_validation(CasError.code)
        raise
    metrics.cas_validation("success")
    return result


def _validate(*, ticket: str, service_url: str, proxy_tickets: bool, renew: bool, pgt_url: str | None,
              level: int | None, accept_strengths: list[str] | None) -> Validated:
    kind = params.ticket_kind(ticket)
    if kind == "PGT":
        raise InvalidTicketSpec(_("A proxy-granting ticket cannot be validated; use it with /proxy."))
    now = clock.now()
    st = ticket_store.consume(ticket, now)
    if st is None:
        raise InvalidTicket()
    if st.expires <= now:
        raise InvalidTicket()
    if kind == "PT" and not proxy_tickets:
        raise InvalidTicketSpec(_("A proxy ticket was presented to an endpoint that accepts only service "
                                  "tickets; use /proxyValidate."))
    if not registry.same_service(st.service_url, service_url) or not st.service.enabled:
        raise InvalidService()
    if not st.user.is_active:
        raise InvalidTicket()
    if renew and st.from_sso:
        raise InvalidTicketSpec(_("The ticket was issued from a single sign-on session, but renew was asked."))
    if st.level < max(st.service.level, level or 0):
        raise InsufficientAuthenticationLevel()
    if accept_strengths and not set(st.strengths) & set(accept_strengths):
        raise InvalidStrength()
    result = Validated(ticket=st, user=st.user.uid, attributes=attributes.released(st, st.service),
                       facts=attributes.authentication_facts(st), proxies=list(st.proxies))
    if pgt_url:
        full = ServiceTicket.objects.select_related("service", "user", "sso_session").get(pk=st.id)
        result.pgt_iou = grant_proxy_granting_ticket(full, pgt_url)
    return result


def _callback_allowed(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    return (parts.scheme == "http" and (parts.hostname or "") in LOCAL_HOSTS
            and settings.CAS_ALLOW_HTTP_LOCALHOST_CALLBACK)


def grant_proxy_granting_ticket(st: ServiceTicket, pgt_url: str) -> str:
    """Hand a PGT to the service's callback (CAS 2.5.4); returns the PGT IOU for the response."""
    service = st.service
    if not service.proxy_callback_pattern:
        raise UnauthorizedServiceProxy()
    if not _callback_allowed(pgt_url) or not registry.matches(service.proxy_callback_pattern, pgt_url):
        raise InvalidProxyCallback()
    pgt, iou = ticket_ids.new("PGT"), ticket_ids.new("PGTIOU")
    now = clock.now()
    sso = st.sso_session
    row = ProxyGrantingTicket.objects.create(
        digest=digest(pgt), callback_url=pgt_url, service=service, user=st.user, sso_session=sso,
        created=now, expires=sso.expires if sso else now + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE),
        auth_time=st.auth_time, strengths=st.strengths, level=st.level, from_sso=st.from_sso,
        proxies=[pgt_url, *st.proxies],
    )
    try:
        status = outbound.get(pgt_url, {"pgtId": pgt, "pgtIou": iou})
    except outbound.CallError:
        status = None
    if status != 200:
        row.delete()
        raise InvalidProxyCallback()
    metrics.cas_ticket("PGT")
    return iou


def _session_alive(sso: SsoSession | None, now: dt.datetime) -> bool:
    if sso is None:
        return True
    return sso.expires > now and (now - sso.last_seen).total_seconds() <= settings.SESSION_IDLE_SECONDS


def proxy(*, pgt: str, target_service: str) -> ServiceTicket:
    """A proxy ticket for ``target_service``, paid for with a PGT."""
    if params.ticket_kind(pgt) != "PGT":
        raise InvalidTicketSpec(_("Only a proxy-granting ticket can be used here."))
    now = clock.now()
    row = ProxyGrantingTicket.objects.select_related("sso_session", "user").filter(digest=digest(pgt)).first()
    if row is None or row.expires <= now or not row.user.is_active or not _session_alive(row.sso_session, now):
        raise InvalidTicket(_("The proxy-granting ticket is not recognised or has expired."))
    target = registry.match(target_service)
    if target is None:
        raise UnauthorizedService()
    return _issue("PT", service=target, service_url=target_service, user=row.user, sso_session=row.sso_session,
                  auth_time=row.auth_time, strengths=row.strengths, level=row.level, from_sso=row.from_sso,
                  proxies=row.proxies)


def remove_expired() -> dict[str, int]:
    """Tickets nobody can use any more. Consumed service tickets stay while their SSO session
    lives (single logout needs them) but never longer than a session can last."""
    now = clock.now()
    oldest = now - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    unused, _ = ServiceTicket.objects.filter(expires__lte=now, consumed__isnull=True).delete()
    old, _ = ServiceTicket.objects.filter(created__lte=oldest).delete()
    pgts, _ = ProxyGrantingTicket.objects.filter(expires__lte=now).delete()
    return {"service_tickets": unused + old, "proxy_granting_tickets": pgts}
