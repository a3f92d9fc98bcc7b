"""The account: one person, one e-mail address, one password."""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from limen.core import clock
from limen.core.languages import EU_LANGUAGES, INTERFACE_LANGUAGES


def normalise_email(address: str) -> str:
    """One spelling per address: trimmed, domain lower-cased.

    Uniqueness is enforced case-insensitively on the whole address (see Meta),
    since people type their local part in any case.
    """
    address = (address or "").strip()
    local, sep, domain = address.rpartition("@")
    return f"{local}{sep}{domain.lower()}" if sep else address


class UserManager(BaseUserManager):
    use_in_migrations = True

    def with_address(self, email: str):
        """Accounts with the address ``email`` in any case, compared as the unique constraint compares
        them (``LOWER(email)``, see Meta), so that the database looks it up in that index: with
        ``email__iexact`` (``UPPER()`` on PostgreSQL, ``LIKE`` on SQLite) it read the whole table."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=Lower(Value(normalise_email(email))))

    def get_by_email(self, email: str):
        return self.with_address(email).get()

    def find_by_email(self, email: str):
        if self._db is None:  # the default database: the same query, written once (every sign-in asks it)
            from .rows import by_email

            return by_email(email)
        return self.with_address(email).first()

    def create_user(self, email, password=None, **fields):
        user = self.model(email=normalise_email(email), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("email_verified", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    # A stable identifier handed to applications (CAS user, OIDC sub): never the e-mail.
    uid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), max_length=254)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email_language = models.CharField(_("e-mail language"), max_length=8, choices=EU_LANGUAGES, default="en")
    interface_language = models.CharField(
        _("interface language"), max_length=8, choices=INTERFACE_LANGUAGES, blank=True, default=""
    )
    email_verified = models.BooleanField(_("e-mail verified"), default=False)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Clear to disable the account: it can no longer sign in.")
    )
    is_staff = models.BooleanField(_("operator"), default=False, help_text=_("May use the operators' site."))
    date_joined = models.DateTimeField(_("created"), default=clock.now)
    failed_signins = models.PositiveIntegerField(_("failed sign-ins in a row"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    # When the last sign-in guess took its place in failed_signins (limen.signin.counters).
    guess_reserved_at = models.DateTimeField(null=True, editable=False)
    password_changed = models.DateTimeField(_("password changed"), null=True, blank=True)
    # Preferences (My Account).
    require_second_factor = models.BooleanField(
        _("always require a second factor"), default=False,
        help_text=_("When on, signing in with the password only is refused."),
    )
    warn_before_sso = models.BooleanField(
        _("warn me each time an application asks for my identity"), default=False,
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > clock.now()


class TokenPurpose(models.TextChoices):
    VERIFY_EMAIL = "verify_email", _("E-mail verification")
    RESET_PASSWORD = "reset_password", _("Password reset")
    CHANGE_EMAIL = "change_email", _("E-mail change")


class AccountToken(models.Model):
    """A single-use link token. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    purpose = models.CharField(max_length=32, choices=TokenPurpose.choices)
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField()
    expires = models.DateTimeField()
    used = models.DateTimeField(null=True, blank=True)
    # For an e-mail change: the address the link was sent to.
    new_email = models.EmailField(max_length=254, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "purpose"])]

    def __str__(self) -> str:
        return f"{self.purpose} for {self.user_id}"
