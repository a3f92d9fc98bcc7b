"""E-mails that tell the owner a verification method was added or removed.

Generic for every method, so that each factor package only says which
method (its lazy label, translated in the e-mail language) and which device.
"""

from __future__ import annotations

from django.urls import reverse

from limen.notify import notices
from limen.core.net import client_ip


def _where(request) -> str:
    return client_ip(request) if request is not None else ""


def factor_added(user, *, method, name: str = "", request=None, detail=""):
    return notices.send(user, "factor_added", method=method, name=name, detail=detail, ip=_where(request),
                        panic_url=notices.absolute(reverse("factors_panic:panic")))


def factor_removed(user, *, method, name: str = "", request=None, detail=""):
    return notices.send(user, "factor_removed", method=method, name=name, detail=detail, ip=_where(request),
                        panic_url=notices.absolute(reverse("factors_panic:panic")))
