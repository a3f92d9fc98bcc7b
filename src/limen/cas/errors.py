"""CAS protocol errors. ``code`` is the protocol's own error code, sent on the wire.

The validation endpoints answer with ``code`` and ``message``; the browser
endpoints (/login, /logout) show ``message`` on an error page and never
redirect to an application they could not vouch for.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from limen.core.errors import LimenError


class CasError(LimenError):
    code = "INTERNAL_ERROR"
    default_message = _("An internal error occurred.")


class InvalidRequest(CasError):
    code = "INVALID_REQUEST"
    default_message = _("The request is missing a parameter, repeats one, or has one that is too long.")


class InvalidTicketSpec(CasError):
    code = "INVALID_TICKET_SPEC"
    default_message = _("The ticket does not meet the requirements of this validation endpoint.")


class InvalidTicket(CasError):
    code = "INVALID_TICKET"
    default_message = _("The ticket is not recognised: it is unknown, has expired or was already used.")


class InvalidService(CasError):
    code = "INVALID_SERVICE"
    default_message = _("The ticket was not issued for this service.")


class UnknownService(CasError):
    # The same protocol code as a mismatch: the service is not one Limen knows.
    code = "INVALID_SERVICE"
    default_message = _("This application is not registered with this sign-in service.")


class UnauthorizedService(CasError):
    code = "UNAUTHORIZED_SERVICE"
    default_message = _("The target service is not registered or may not receive proxy tickets.")


class UnauthorizedServiceProxy(CasError):
    code = "UNAUTHORIZED_SERVICE_PROXY"
    default_message = _("This service is not allowed to use proxy authentication.")


class InvalidProxyCallback(CasError):
    code = "INVALID_PROXY_CALLBACK"
    default_message = _("The proxy callback URL is not allowed or could not be verified.")


class InsufficientAuthenticationLevel(CasError):
    # EU Login's code: the sign-in was weaker than the service requires.
    code = "INSUFFICIENT_AUTHENTICATION_LEVEL"
    default_message = _("The sign-in behind this ticket is weaker than the service requires.")


class InvalidStrength(CasError):
    # EU Login's code: an unknown strength name, or none of the accepted ones was used.
    code = "INVALID_STRENGTH"
    default_message = _("The verification methods asked for are unknown or were not used.")


class UnsupportedLevel(CasError):
    code = "INVALID_REQUEST"
    default_message = _("This application asks for an authentication level this server cannot provide.")
