"""Delete my account: the owner ends it, with the password (and a second factor, which the view
checks through the evaluator), and everything of it goes, except the audit trail.

What happens, in order:

1. the password is checked like every current-password check (wrong ones count towards the lockout);
2. every session of the account ends through limen.signin.sessions, so every application it signed
   in to is told (CAS single logout, OpenID Connect back-channel logout, tokens revoked);
3. every verification method is removed (the registry's remove_all, as PANIC does);
4. the audit event is written and the confirmation e-mail queued (rendered now, sent by the outbox);
5. the account row is deleted, and with it what hangs from it (tokens, codes, links, devices).

The audit trail is append-only and outlives the account: its events keep the account's old number (a
column without a database constraint; numbers are never reused) and the e-mail address at the time,
until the operators' retention period removes them (limen audit_purge). Steps 2 to 5 happen in one
database transaction: if one fails, nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from limen.audit.events import Event
from limen.audit.service import record
from limen.core.net import client_ip
from limen.notify import notices
from limen.signin import sessions
from limen.signin.methods import registry
from limen.signin.services import verify_current_password

from ..errors import OperatorAccount, WrongPassword
from ..models import User


@dataclass(frozen=True)
class Deleted:
    email: str
    applications: list[str]   # the applications told that their session ended


def needs_password(user: User) -> bool:
    """eID-only accounts have none: their eID (two factors) is the proof."""
    return user.has_usable_password()


def methods_of(user: User) -> list[dict]:
    """The verification methods that would go, as the page lists them."""
    return [{"label": method.label, "count": count} for method in registry.all()
            if (count := method.enrolled_count(user))]


def delete_account(*, request, password: str = "") -> Deleted:
    """Delete the account signed in on ``request``; signs this browser out. Raises WrongPassword (counted
    towards the lockout), AccountLocked once the lock falls, OperatorAccount for an operator."""
    user: User = request.user
    if user.is_staff or user.is_superuser:
        raise OperatorAccount()
    if needs_password(user) and not verify_current_password(user, password, request):
        raise WrongPassword()
    email, ip = user.email, client_ip(request)
    with transaction.atomic():
        applications = sessions.end_everywhere(request)
        removed = registry.remove_all(user)
        record(Event.ACCOUNT_DELETED, user=user, request=request, email=email, removed=removed,
               applications=applications)
        notices.send(user, "account_deleted", ip=ip, removed=[registry.get(key).label for key in removed])
        user.delete()
    return Deleted(email=email, applications=applications)
