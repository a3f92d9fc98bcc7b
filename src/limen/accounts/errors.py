"""Domain errors of the accounts area, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from limen.core.errors import LimenError, RateLimited


class AccountError(LimenError):
    code = "account_error"


class TokenInvalid(AccountError):
    code = "token_invalid"
    default_message = _("This link is not valid. Check that you copied the whole address, or ask for a new link.")


class TokenExpired(AccountError):
    code = "token_expired"
    default_message = _("This link has expired. You can ask for a new one below.")


class TokenUsed(AccountError):
    code = "token_used"
    default_message = _("This link has already been used. You can ask for a new one below.")


class WrongPassword(AccountError):
    code = "wrong_password"
    field = "password"
    default_message = _("The current password is not correct.")


class OperatorAccount(AccountError):
    """An operator's account is closed by another operator, so that a service is never left without one."""

    code = "operator_account"
    status = 403
    default_message = _("This is an operator's account: ask another operator to remove it in the operators' site.")


class SessionNotFound(AccountError):
    code = "session_not_found"
    status = 404
    default_message = _("That session has already ended.")


class EmailUnchanged(AccountError):
    code = "email_unchanged"
    field = "new_email"
    default_message = _("This is already the e-mail address of your account.")


class TooManyEmails(RateLimited):
    """The same answer whether or not the address has an account: the cap counts requests, not accounts."""

    code = "too_many_emails"
    default_message = _("Too many e-mails have been asked for this address, or from your network, in the last "
                        "hour. Please wait an hour and try again.")
