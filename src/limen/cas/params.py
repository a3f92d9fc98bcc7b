"""Protocol parameters: each at most once, within its length, present when required."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from .errors import InvalidRequest, InvalidTicketSpec

# Longest value accepted for each parameter Limen reads.
LIMITS = {
    "service": 2048, "url": 2048, "targetService": 2048, "pgtUrl": 2048,
    "ticket": 256, "pgt": 256,
    "renew": 8, "gateway": 8, "method": 8, "format": 8, "userDetails": 8,
    "authenticationLevel": 16, "acceptStrengths": 256,
}

# Limen issues letters and digits only (ticket_ids.py); '_' is still read so that proxy-granting
# tickets issued before that change keep working until their single sign-on session ends.
TICKET_RE = re.compile(r"^(ST|PT|PGT)-[A-Za-z0-9_-]{16,240}$")
# Control characters (C0 and DEL). One search in C: every CAS request checks each parameter, and a
# character-by-character loop in Python was the largest single item of a validation's profile.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def read(query, names: tuple[str, ...], *, required: tuple[str, ...] = ()) -> dict[str, str | None]:
    """The named parameters from a QueryDict; raises InvalidRequest for repeated, over-long or missing ones."""
    values: dict[str, str | None] = {}
    for name in names:
        given = query.getlist(name)
        if len(given) > 1:
            raise InvalidRequest(_("The parameter %(name)s is given more than once.") % {"name": name})
        value = given[0] if given else None
        if value is not None and len(value) > LIMITS.get(name, 256):
            raise InvalidRequest(_("The parameter %(name)s is too long.") % {"name": name})
        if value is not None and CONTROL_RE.search(value):
            raise InvalidRequest(_("The parameter %(name)s contains characters that are not allowed.")
                                 % {"name": name})
        if not value and name in required:
            raise InvalidRequest(_("The parameter %(name)s is required.") % {"name": name})
        values[name] = value or None
    return values


def flag(value: str | None) -> bool:
    """CAS: a parameter that is set means true; Limen also reads an explicit false/0 as false."""
    return value is not None and value.strip().lower() not in {"false", "0", "no", "off"}


def ticket_kind(ticket: str) -> str:
    """'ST', 'PT' or 'PGT'; InvalidTicketSpec if the ticket is not shaped like one of ours."""
    match = TICKET_RE.match(ticket or "")
    if not match:
        raise InvalidTicketSpec(_("The ticket is malformed."))
    return match.group(1)


def response_format(value: str | None) -> str:
    fmt = (value or "XML").upper()
    if fmt not in {"XML", "JSON"}:
        raise InvalidRequest(_("The format must be XML or JSON."))
    return fmt
