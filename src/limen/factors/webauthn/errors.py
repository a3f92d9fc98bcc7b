from django.utils.translation import gettext_lazy as _

from limen.core.errors import LimenError, RateLimited


class WebAuthnError(LimenError):
    code = "webauthn_error"


class CeremonyExpired(WebAuthnError):
    code = "ceremony_expired"
    default_message = _("This took too long or was interrupted. Please try again.")


class InvalidResponse(WebAuthnError):
    code = "invalid_response"
    default_message = _("Your security key's answer could not be verified. Please try again.")


class WrongOrigin(WebAuthnError):
    code = "wrong_origin"
    default_message = _(
        "This answer was made for another website. Only use your security key on this site's own pages.")


class UserNotVerified(WebAuthnError):
    code = "user_not_verified"
    default_message = _(
        "Your security key or device did not check that it is you (PIN, fingerprint or face). "
        "Set up a PIN or biometrics on it and try again."
    )


class AlreadyRegistered(WebAuthnError):
    code = "already_registered"
    default_message = _("This security key or trusted platform is already registered to your account.")


class RegisteredElsewhere(WebAuthnError):
    code = "registered_elsewhere"
    default_message = _("This security key cannot be registered. Try another one.")


class NotThisAccount(WebAuthnError):
    code = "not_this_account"
    default_message = _("This security key or passkey is not registered to this account. Use one you registered.")


class UnknownCredential(WebAuthnError):
    code = "unknown_credential"
    default_message = _("This passkey is not known here. It may have been removed; sign in with your password.")


class PossibleClone(WebAuthnError):
    code = "possible_clone"
    default_message = _(
        "This security key was refused: its signature counter went backwards, which can mean it was copied. "
        "We have e-mailed you. Sign in with another method and check your security keys in My Account."
    )


class AccountDisabled(WebAuthnError):
    code = "account_disabled"
    default_message = _("This account has been disabled. Contact your support desk.")


class TooManyAttempts(RateLimited):
    code = "too_many_attempts"
    default_message = _("Too many failed attempts. Wait a few minutes and try again.")
