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
    OIDC_AUTHORIZED = "oidc.authorized", _("Signed in to an application (OpenID Connect)")
    OIDC_CODE_REUSED = "oidc.code_reused", _("An application used a sign-in code twice; its tokens were revoked")
    OIDC_CLIENT_ADDED = "oidc.client_added", _("OpenID Connect application registered")
    OIDC_CLIENT_REMOVED = "oidc.client_removed", _("OpenID Connect application removed")
    OIDC_CLIENT_SECRET_RESET = "oidc.client_secret_reset", _("OpenID Connect application secret replaced")
    OIDC_KEY_ROTATED = "oidc.key_rotated", _("OpenID Connect signing key rotated")
    EID_LINKED = "eid.linked", _("eID linked to the account")
    EID_UNLINKED = "eid.unlinked", _("eID unlinked from the account")
    EID_SIGNIN_FAILED = "eid.signin_failed", _("Sign-in with eID failed")
    EID_ACCOUNT_CREATED = "eid.account_created", _("eID-only account created")
    EID_ACCOUNTS_MERGED = "eid.accounts_merged", _("eID-only account merged into this account")
