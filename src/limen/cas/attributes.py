"""The attributes an application may receive, named as in EU Login (docs/cas.md).

``user`` (the account's stable identifier) is always sent; everything else
only if the service's registration lists it, and the details validated for
the application when it requires access validation (limen.access).
"""

from __future__ import annotations

from django.conf import settings

from limen.access import gate as access_gate
from limen.signin.levels import LEVEL_NAMES

from . import access_link

# Identity assurance of a self-registered account whose e-mail is verified
# (EU Login's "LOW" = 10, the level of its external accounts).
ASSURANCE_LEVEL = "10"

ATTRIBUTES = (
    "uid",                  # the account's stable identifier (the same as user)
    "email",
    "firstName",
    "lastName",
    "domain",               # LIMEN_CAS_USER_DOMAIN, "external" by default
    "locale",               # the person's language (interface language, else e-mail language)
    "authenticationLevel",  # BASIC, MEDIUM or HIGH: the level of this sign-in
    "strengths",            # the methods used, e.g. PASSWORD, PASSWORD_MOBILE_APP (several values)
    "assuranceLevel",       # identity assurance of the account
    "loginDate",            # when the person authenticated (ISO 8601)
    "sso",                  # true if the ticket came from an existing SSO session
    "isFromNewLogin",       # the opposite of sso (Apereo CAS name)
    "ticketType",           # SERVICE or PROXY
)


def values_for(ticket) -> dict[str, object]:
    """Every attribute for a validated ticket (ticket_store.ConsumedTicket), before filtering."""
    user = ticket.user
    return {
        "uid": str(user.uid),
        "email": user.email,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "domain": settings.CAS_USER_DOMAIN,
        "locale": user.interface_language or user.email_language,
        "authenticationLevel": LEVEL_NAMES.get(ticket.level, "BASIC"),
        "strengths": list(ticket.strengths),
        "assuranceLevel": ASSURANCE_LEVEL,
        "loginDate": ticket.auth_time.isoformat(timespec="milliseconds"),
        "sso": bool(ticket.from_sso),
        "isFromNewLogin": not ticket.from_sso,
        "ticketType": "PROXY" if ticket.is_proxy else "SERVICE",
    }


def authentication_facts(ticket) -> dict[str, object]:
    """What CAS 3.0's schema requires first in every <cas:attributes>, whatever the registration lists."""
    return {
        "authenticationDate": ticket.auth_time.isoformat(timespec="milliseconds"),
        "longTermAuthenticationRequestTokenUsed": False,  # Limen has no "remember me"
        "isFromNewLogin": not ticket.from_sso,
    }


def released(ticket, service) -> dict[str, object]:
    """What the registration lists, then the details validated for this very application, if its access
    requires validation and the person's access is active (limen.access: e.g. personnelNumber)."""
    allowed = set(service.attributes or ())
    chosen = {name: value for name, value in values_for(ticket).items() if name in allowed}
    if service.access_policy:  # read with the ticket (limen.cas.ticket_store): no policy, nothing to look up
        chosen.update(access_gate.released(ticket.user, access_link.ref(service)))
    return chosen
