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
    # Second factors (every method): data carries "method" and, where there is one, "name".
    FACTOR_ADDED = "factor.added", _("Verification method added")
    FACTOR_RENAMED = "factor.renamed", _("Verification method renamed")
    FACTOR_REMOVED = "factor.removed", _("Verification method removed")
    FACTOR_FAILED = "factor.failed", _("Second factor refused")
    WEBAUTHN_POSSIBLE_CLONE = "webauthn.possible_clone", _("Security key refused: it may have been copied")
    SMS_CODE_SENT = "sms.code_sent", _("SMS code sent")
    RECOVERY_CODES_GENERATED = "recovery.generated", _("New recovery codes created")
    RECOVERY_CODE_USED = "recovery.used", _("Recovery code used")
    PANIC = "factors.panic", _("All devices and eID removed (PANIC)")
    PANIC_LINK_SENT = "factors.panic_link_sent", _("Link to add a first new verification method sent")
    PANIC_RELEASED = "factors.panic_released", _("Adding a first new verification method confirmed by e-mail")
    CAS_SIGNED_IN = "cas.signed_in", _("Signed in to an application")
    CAS_SERVICE_SAVED = "cas.service_saved", _("Application registered or changed by an operator")
    CAS_SERVICE_REMOVED = "cas.service_removed", _("Application removed by an operator")
