from django.utils.translation import gettext_lazy as _

from limen.core.errors import LimenError, RateLimited


class SmsError(LimenError):
    code = "sms_error"


class SmsDisabled(SmsError):
    code = "sms_disabled"
    status = 403
    default_message = _("Verification by SMS is switched off on this service. Choose another method.")


class NumberWithoutCountryCode(SmsError):
    code = "no_country_code"
    default_message = _(
        "Write the number in international form: a + sign, the country code, then the number without its "
        "first 0, for example +46701234567."
    )


class NumberMalformed(SmsError):
    code = "malformed"
    default_message = _(
        "This is not a phone number. Use only digits after the + sign, for example +46701234567."
    )


class NumberUnknownCountry(SmsError):
    code = "unknown_country"
    default_message = _(
        "The digits after the + sign are not a country code. Start with your country's code, for example "
        "+46 for Sweden: +46701234567."
    )


class NumberInvalid(SmsError):
    code = "invalid"
    default_message = _(
        "This number does not exist in the country of its country code. Check the digits, for example "
        "+46701234567."
    )


class NumberNotMobile(SmsError):
    code = "not_mobile"
    default_message = _("This is a landline or service number. SMS codes need a mobile phone number.")


class NumberAlreadyRegistered(SmsError):
    code = "already_registered"
    default_message = _("This number is already registered to your account.")


class NumberNotRegistered(SmsError):
    code = "not_registered"
    default_message = _("This number is not registered to your account. Type one of your registered numbers.")


class NoCodeSent(SmsError):
    code = "no_code"
    default_message = _("There is no code waiting for you. Ask for a new code.")


class WrongCode(SmsError):
    code = "wrong_code"
    default_message = _("This code is not correct. Check the SMS and type the code again.")


class CodeExpired(SmsError):
    code = "code_expired"
    default_message = _("This code has expired. Ask for a new code.")


class CodeUsed(SmsError):
    code = "code_used"
    default_message = _("This code has already been used. Ask for a new code.")


class TooManyAttempts(RateLimited):
    code = "too_many_attempts"
    default_message = _("Too many wrong codes. This code no longer works: ask for a new code.")


class ResendTooSoon(RateLimited):
    code = "resend_too_soon"
    default_message = _("We sent a code less than %(seconds)d seconds ago. Wait a moment before asking for another.")


class TooManySms(RateLimited):
    code = "too_many_sms"
    default_message = _("Too many SMS were sent for this account. Try again in an hour, or use another method.")
