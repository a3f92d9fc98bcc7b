"""Personal details and preferences."""

from __future__ import annotations

from limen.audit.events import Event
from limen.audit.service import record
from limen.signin.methods import registry

from ..models import User

PROFILE_FIELDS = ("first_name", "last_name", "email_language", "interface_language", "warn_before_sso")


def update_profile(*, user: User, request=None, **changes) -> list[str]:
    changed = [f for f in PROFILE_FIELDS if f in changes and getattr(user, f) != changes[f]]
    for field in changed:
        setattr(user, field, changes[field])
    if changed:
        user.save(update_fields=changed)
        record(Event.PROFILE_UPDATED, user=user, request=request, fields=changed)
    return changed


class NoSecondFactor(Exception):
    """Requiring a second factor makes no sense before the account has one."""


def update_signin_preferences(*, user: User, require_second_factor: bool, request=None) -> bool:
    """Returns whether something changed."""
    if require_second_factor and not registry.has_second_factor(user):
        raise NoSecondFactor()
    if user.require_second_factor == require_second_factor:
        return False
    user.require_second_factor = require_second_factor
    user.save(update_fields=["require_second_factor"])
    record(Event.PREFERENCES_CHANGED, user=user, request=request, require_second_factor=require_second_factor)
    return True

