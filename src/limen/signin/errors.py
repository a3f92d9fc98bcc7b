from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from limen.core.errors import LimenError, RateLimited


class SigninError(LimenError):
    code = "signin_error"


class InvalidCredentials(SigninError):
    code = "invalid_credentials"
    # Generic on purpose: never say which of the two was wrong.
    default_message = _("The e-mail address or the password is not correct.")


class AccountLocked(SigninError):
    code = "account_locked"
    default_message = _("Too many failed attempts: signing in to this account is paused. Try again later.")

    @classmethod
    def for_minutes(cls, minutes: int) -> "AccountLocked":
        return cls(ngettext_lazy(
            "Too many failed attempts: signing in to this account is paused for %(minutes)d minute. "
            "Try again later.",
            "Too many failed attempts: signing in to this account is paused for %(minutes)d minutes. "
            "Try again later.",
            "minutes",
        ) % {"minutes": minutes})


class AccountDisabled(SigninError):
    code = "account_disabled"
    default_message = _("This account has been disabled. Contact your support desk.")


class TooManyRequests(RateLimited):
    code = "rate_limited"
    default_message = _("Too many attempts from your network. Wait a few minutes and try again.")
