"""Change the e-mail address: confirmed by a link sent to the new address."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from limen.audit.events import Event
from limen.audit.service import record
from limen.signin.services import verify_current_password
from limen.core import clock
from limen.notify import notices

from .. import tokens
from ..errors import EmailUnchanged, TokenInvalid, WrongPassword
from ..models import AccountToken, TokenPurpose, User, normalise_email


def request_change(*, user: User, new_email: str, password: str, request=None) -> None:
    if not verify_current_password(user, password, request):
        raise WrongPassword()
    new_email = normalise_email(new_email)
    if new_email.casefold() == user.email.casefold():
        raise EmailUnchanged()
    record(Event.EMAIL_CHANGE_REQUESTED, user=user, request=request, new_email=new_email)
    owner = User.objects.find_by_email(new_email)
    if owner is not None:
        # Same screen either way; the owner of that address is told instead, in their language.
        notices.send(owner, "email_change_taken")
        return
    token = tokens.issue(user, TokenPurpose.CHANGE_EMAIL, settings.CHANGE_EMAIL_TTL, new_email=new_email)
    notices.send(
        user, "email_change_confirm", to=new_email, new_email=new_email,
        link=notices.absolute(reverse("accounts:confirm_email", args=[token])),
        hours=settings.CHANGE_EMAIL_TTL // 3600,
    )


def confirm_change(*, token: str, request=None) -> User:
    try:
        with transaction.atomic():
            entry = tokens.consume(token, TokenPurpose.CHANGE_EMAIL)
            user = entry.user
            old_email = user.email
            if User.objects.with_address(entry.new_email).exclude(pk=user.pk).exists():
                raise TokenInvalid()
            user.email = entry.new_email
            user.email_verified = True
            user.save(update_fields=["email", "email_verified"])
            # Links sent to the old address (password reset, verification) die with it.
            AccountToken.objects.filter(user=user, used__isnull=True).update(used=clock.now())
    except IntegrityError:
        raise TokenInvalid() from None
    record(Event.EMAIL_CHANGED, user=user, request=request, old_email=old_email)
    notices.send(user, "email_changed", to=old_email, old_email=old_email, new_email=user.email)
    return user
