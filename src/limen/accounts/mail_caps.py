"""How many account e-mails one address, and one network, may ask for in an hour.

Registration, a new verification link and a lost password each send an
e-mail (or, for an address without an account, look as if they did). Each
request is charged against the address it names and against the caller's
IP, whether or not the address has an account, so the refusal tells a
stranger nothing. Counted with ``ratelimit.take``: exact when requests race.
LIMEN_EMAIL_CAP_PER_ADDRESS and LIMEN_EMAIL_CAP_PER_IP, per clock hour.
"""

from __future__ import annotations

from django.conf import settings

from limen.core import ratelimit

from .errors import TooManyEmails

WINDOW = 3600


def per_address() -> ratelimit.Limit:
    return ratelimit.Limit("mail-address", settings.EMAIL_CAP_PER_ADDRESS, WINDOW)


def per_ip() -> ratelimit.Limit:
    return ratelimit.Limit("mail-ip", settings.EMAIL_CAP_PER_IP, WINDOW)


def charge(*, email: str, ip: str) -> None:
    """Count one request for an e-mail to ``email`` from ``ip``; TooManyEmails past either cap."""
    # The network first: a flood from one IP does not use up the address's own allowance.
    if not ratelimit.take(per_ip(), ip):
        raise TooManyEmails(retry_after=ratelimit.retry_after(per_ip()))
    if not ratelimit.take(per_address(), email.strip().casefold()):
        raise TooManyEmails(retry_after=ratelimit.retry_after(per_address()))
