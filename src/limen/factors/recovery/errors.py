from django.utils.translation import gettext_lazy as _

from limen.core.errors import LimenError, RateLimited


class RecoveryError(LimenError):
    code = "recovery_error"


class WrongCode(RecoveryError):
    code = "wrong_code"
    default_message = _("This recovery code is not correct. Check it and try again.")


class CodeAlreadyUsed(RecoveryError):
    code = "code_used"
    default_message = _("This recovery code has already been used. Each code works once: type another one.")


class NoCodesLeft(RecoveryError):
    code = "no_codes_left"
    default_message = _("Your account has no unused recovery codes.")


class NeedsAnotherMethod(RecoveryError):
    code = "needs_another_method"
    default_message = _(
        "Recovery codes are a backup: first add a verification method such as a security key, "
        "a mobile phone number or the mobile app."
    )


class TooManyAttempts(RateLimited):
    code = "too_many_attempts"
    default_message = _("Too many wrong recovery codes. Wait %(minutes)d minutes and try again.")
