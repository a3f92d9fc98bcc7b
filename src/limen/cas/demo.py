"""Sample data for `limen demo`: the demo portal registered as a CAS service, and a demo account."""

from __future__ import annotations

import secrets

from limen.accounts.models import User

from . import registry

DEMO_SERVICE = "Europass (demo)"
DEMO_EMAIL = "demo@example.org"


def prepare(portal_url: str) -> tuple[str, str]:
    """Register the portal (idempotent) and give the demo account a fresh password; returns (email, password)."""
    portal_url = portal_url.rstrip("/") + "/"
    registry.register(name=DEMO_SERVICE, url_pattern=portal_url, attributes="all",
                      slo_url=portal_url + "accounts/callback/")
    password = "Demo-" + secrets.token_urlsafe(9)
    user = User.objects.find_by_email(DEMO_EMAIL)
    if user is None:
        user = User.objects.create_user(DEMO_EMAIL, password, first_name="Dana", last_name="Demo",
                                        email_verified=True)
    else:
        user.set_password(password)
        user.is_active, user.locked_until, user.failed_signins = True, None, 0
        user.save(update_fields=["password", "is_active", "locked_until", "failed_signins"])
    return DEMO_EMAIL, password
