"""Typed errors of the mobile authenticator. ``code`` is stable: the device API returns it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from limen.core.errors import LimenError


class MobileError(LimenError):
    code = "mobile_error"
    status = 400  # HTTP status when the device API returns it


class CountedFailure(MobileError):
    """A wrong PIN or code that counts towards a lock: says how many attempts are left (the API returns it)."""

    def __init__(self, message=None, *, attempts_left: int = 0):
        super().__init__(message, attempts_left=attempts_left)
        self.attempts_left = attempts_left


# --- Requests that cannot be read -------------------------------------------------------------

class MalformedJson(MobileError):
    code = "malformed_json"
    default_message = _("The request body is not a JSON object.")


class InvalidField(MobileError):
    code = "invalid_field"
    default_message = _("A field of the request is missing or malformed.")

    def __init__(self, field: str, message=None):
        super().__init__(message, field=field)
        self.field = field


class FieldTooLong(InvalidField):
    code = "field_too_long"
    default_message = _("A field of the request is longer than allowed.")


class PayloadTooLarge(MobileError):
    code = "payload_too_large"
    status = 413
    default_message = _("The request body is too large.")


# --- Authentication of the device -------------------------------------------------------------

class Unauthenticated(MobileError):
    code = "unauthenticated"
    status = 401
    default_message = _("The request is not signed: the Limen-Device, Limen-Timestamp, Limen-Nonce and "
                        "Limen-Signature headers are required.")


class UnknownDevice(MobileError):
    code = "unknown_device"
    status = 401
    default_message = _("This device is not registered (it may have been removed). Add it again from My Account.")


class BadSignature(MobileError):
    code = "bad_signature"
    status = 401
    default_message = _("The signature of the request is not valid.")


class StaleTimestamp(MobileError):
    code = "stale_timestamp"
    status = 401
    default_message = _("The request's time is too far from the server's. Check the date and time of the device.")


class Replayed(MobileError):
    code = "replayed"
    status = 401
    default_message = _("This request was already received once; a request cannot be sent twice.")


class DeviceLocked(MobileError):
    code = "device_locked"
    status = 423
    default_message = _("This device is locked after too many wrong PINs. Remove it and add it again in "
                        "My Account, or ask your support desk to unlock it.")


# --- Enrolment -------------------------------------------------------------------------------

class EnrolmentInvalid(MobileError):
    code = "enrolment_invalid"
    status = 404
    default_message = _("This QR code is not valid. Start adding the device again in My Account.")


class EnrolmentExpired(MobileError):
    code = "enrolment_expired"
    status = 410
    default_message = _("This QR code has expired. Start adding the device again in My Account.")


class EnrolmentUsed(MobileError):
    code = "enrolment_used"
    status = 409
    default_message = _("This QR code was already used. Start adding the device again in My Account.")


class EnrolmentMismatch(MobileError):
    code = "enrolment_mismatch"
    status = 403
    default_message = _("This enrolment belongs to another account or device.")


class PinMismatch(CountedFailure):
    code = "pin_mismatch"
    status = 403
    default_message = _("This is not the PIN code chosen in the browser.")


class TooManyDevices(MobileError):
    code = "too_many_devices"
    status = 409
    default_message = _("This account already has the largest number of mobile devices allowed. Remove one first.")


# --- Sign-in challenges ----------------------------------------------------------------------

class ChallengeNotFound(MobileError):
    code = "challenge_not_found"
    status = 404
    default_message = _("There is no such sign-in request for this device.")


class ChallengeExpired(MobileError):
    code = "challenge_expired"
    status = 410
    default_message = _("This sign-in request has expired. Start signing in again.")


class ChallengeAnswered(MobileError):
    code = "challenge_answered"
    status = 409
    default_message = _("This sign-in request was already answered.")


class NumberMismatch(MobileError):
    code = "number_mismatch"
    status = 400
    default_message = _("The number does not match the one of this sign-in request.")


class WrongPin(CountedFailure):
    code = "wrong_pin"
    status = 403
    default_message = _("The PIN code is not correct.")


class NoUsableDevice(MobileError):
    code = "no_usable_device"
    default_message = _("None of your mobile devices can be used now. Add one in My Account.")


class DeviceNotFound(MobileError):
    code = "device_not_found"
    status = 404
    default_message = _("There is no such device on your account.")


class TooManyRequests(MobileError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many attempts. Wait a few minutes and try again.")


class ServerBusy(MobileError):
    """This server process already holds LIMEN_MAX_WAITS waiting requests: come back a little later."""

    code = "busy"
    status = 503
    default_message = _("The server is busy. Try again in a few seconds.")


class BiometricRefused(MobileError):
    code = "biometric_refused"
    status = 403
    default_message = _("The fingerprint or face approval could not be verified. Use your PIN code.")


class BiometricNotSet(MobileError):
    code = "biometric_not_set"
    status = 409
    default_message = _("Unlocking with fingerprint or face is not turned on for this device. Use your PIN code.")


# --- One-time password -----------------------------------------------------------------------

class OtpWrong(CountedFailure):
    code = "otp_wrong"
    default_message = _("This code is not correct. Scan the QR code again and type the code your app shows.")


class OtpExpired(MobileError):
    code = "otp_expired"
    status = 410
    default_message = _("This QR code has expired. Scan the new QR code below.")


class OtpUsed(MobileError):
    code = "otp_used"
    status = 409
    default_message = _("This code was already used. Scan the new QR code below.")


class OtpMalformed(MobileError):
    code = "otp_malformed"
    default_message = _("Type the %(digits)d digits that your app shows.")


# --- Calls the device API does not have ----------------------------------------------------------

class ApiNotFound(MobileError):
    code = "not_found"
    status = 404
    default_message = _("There is no such call in the device API.")


class MethodNotAllowed(MobileError):
    code = "method_not_allowed"
    status = 405
    default_message = _("This call does not accept this HTTP method.")


# Every code the device API can return, for the OpenAPI description and its test.
API_ERRORS = [
    MalformedJson, InvalidField, FieldTooLong, PayloadTooLarge, Unauthenticated, UnknownDevice, BadSignature,
    StaleTimestamp, Replayed, DeviceLocked, EnrolmentInvalid, EnrolmentExpired, EnrolmentUsed, EnrolmentMismatch,
    PinMismatch, TooManyDevices, ChallengeNotFound, ChallengeExpired, ChallengeAnswered, NumberMismatch, WrongPin,
    TooManyRequests, ServerBusy, ApiNotFound, MethodNotAllowed, BiometricRefused, BiometricNotSet,
]
