from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from limen.core.errors import LimenError, RateLimited


class SigninError(LimenError):
    code = "signin_error"


class InvalidCredentials(SigninError):
    code = "invalid_credentials"
    field = "password"
    # Generic on purpose: never say which of the two was wrong.
    default_message = _("The e-mail address or the password is not correct.")


class AccountLocked(SigninError):
    code = "account_locked"
    field = "password"
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
    field = "password"
    default_message = _("This account has been disabled. Contact your support desk.")


class TooManyRequests(RateLimited):
    code = "rate_limited"
    default_message = _("Too many attempts from your network. Wait a few minutes and try again.")


class TransactionError(SigninError):
    """A sign-in that cannot go on: the person starts again from the sign-in page."""

    code = "transaction_error"


class NoTransaction(TransactionError):
    code = "no_pending_signin"
    default_message = _("Your sign-in took too long or was interrupted. Please start again.")


class TransactionExpired(TransactionError):
    code = "signin_expired"
    default_message = _("Your sign-in took too long or was interrupted. Please start again.")


class TransactionForeign(TransactionError):
    code = "signin_foreign"
    status = 403
    default_message = _("This sign-in was started in another browser. Please start again here.")


class TransactionCompleted(TransactionError):
    code = "signin_completed"
    status = 409
    default_message = _("This sign-in is already complete. You do not need to send it again.")


class MethodNotBegun(TransactionError):
    code = "method_not_begun"
    default_message = _("This verification method was not started for your sign-in. Please start again.")


class SecondFactorRequired(SigninError):
    code = "second_factor_required"
    field = "method"
    default_message = _("Your account requires a second factor: choose a verification method other than password only.")


class MethodNotAvailable(SigninError):
    code = "method_not_available"
    field = "method"
    default_message = _("This verification method is not set up for your account. Choose another one.")
