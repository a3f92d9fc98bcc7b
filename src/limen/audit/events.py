"""The security events Limen records, with a label a person can read."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    REGISTERED = "account.registered", _("Account created")
    REGISTRATION_DUPLICATE = "account.registration_duplicate", _("Someone tried to register this address again")
    EMAIL_VERIFIED = "account.email_verified", _("E-mail address verified")
    SIGNIN_SUCCEEDED = "signin.succeeded", _("Signed in")
    SIGNIN_FAILED = "signin.failed", _("Sign-in failed")
    SIGNIN_REFUSED_LOCKED = "signin.refused_locked", _("Sign-in refused: account locked")
    SIGNIN_REFUSED_DISABLED = "signin.refused_disabled", _("Sign-in refused: account disabled")
    STEPPED_UP = "signin.stepped_up", _("Second factor added to the session (step-up)")
    SIGNED_OUT = "signin.signed_out", _("Signed out")
    LOCKED = "account.locked", _("Account locked after failed sign-ins")
    UNLOCKED = "account.unlocked", _("Account unlocked by an operator")
    DISABLED = "account.disabled", _("Account disabled by an operator")
    ENABLED = "account.enabled", _("Account enabled by an operator")
    PASSWORD_SET = "password.set", _("Password chosen")
    PASSWORD_CHANGED = "password.changed", _("Password changed")
    PASSWORD_RESET_REQUESTED = "password.reset_requested", _("Password reset requested")
    PASSWORD_RESET = "password.reset", _("Password reset")
    EMAIL_CHANGE_REQUESTED = "email.change_requested", _("E-mail change requested")
    EMAIL_CHANGED = "email.changed", _("E-mail address changed")
    AUDIT_PURGED = "audit.purged", _("Old audit events purged by an operator")
    PROFILE_UPDATED = "profile.updated", _("Personal details updated")
    # Mobile authenticator (limen.factors.mobile_app).
    MOBILE_ENROLMENT_STARTED = "mobile.enrolment_started", _("Adding a mobile device started")
    MOBILE_ENROLMENT_FAILED = "mobile.enrolment_failed", _("Adding a mobile device failed")
    MOBILE_DEVICE_ADDED = "mobile.device_added", _("Mobile device added")
    MOBILE_DEVICE_RENAMED = "mobile.device_renamed", _("Mobile device renamed")
    MOBILE_DEVICE_REMOVED = "mobile.device_removed", _("Mobile device removed")
    MOBILE_DEVICE_LOCKED = "mobile.device_locked", _("Mobile device locked after wrong PIN codes")
    MOBILE_DEVICE_UNLOCKED = "mobile.device_unlocked", _("Mobile device unlocked by an operator")
    MOBILE_WRONG_PIN = "mobile.wrong_pin", _("Wrong PIN code in the mobile app")
    MOBILE_SIGNIN_APPROVED = "mobile.signin_approved", _("Sign-in approved in the mobile app")
    MOBILE_SIGNIN_DENIED = "mobile.signin_denied", _("Sign-in refused in the mobile app")
    MOBILE_OTP_FAILED = "mobile.otp_failed", _("Wrong one-time password from the mobile app")
    MOBILE_API_REJECTED = "mobile.api_rejected", _("Request of a mobile device rejected (bad signature or replay)")
    # My Account preferences.
    PREFERENCES_CHANGED = "account.preferences_changed", _("Sign-in preferences changed")
    CAS_SIGNED_IN = "cas.signed_in", _("Signed in to an application")
    CAS_SERVICE_SAVED = "cas.service_saved", _("Application registered or changed by an operator")
    CAS_SERVICE_REMOVED = "cas.service_removed", _("Application removed by an operator")
