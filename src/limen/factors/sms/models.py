"""Registered mobile phone numbers, and the SMS codes sent to them (only a keyed hash of each code)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .internal.phonenumbers_lib import masked, pretty


class PhoneNumber(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_numbers")
    number = models.CharField(_("mobile phone number"), max_length=20, help_text=_("International form, E.164."))
    added = models.DateTimeField(_("added"))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("mobile phone number")
        verbose_name_plural = _("mobile phone numbers")
        ordering = ["added", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "number"], name="factors_sms_number_once_per_user")]

    def __str__(self) -> str:
        return masked(self.number)

    @property
    def pretty(self) -> str:
        return pretty(self.number)

    @property
    def masked(self) -> str:
        return masked(self.number)


class Purpose(models.TextChoices):
    ENROL = "enrol", _("Add a number")
    SIGNIN = "signin", _("Sign in")


class SmsCode(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=20)
    purpose = models.CharField(max_length=8, choices=Purpose.choices)
    # crypto.keyed_digest: the key's id, a colon and 64 hex digits (only the hex for the legacy key).
    digest = models.CharField(max_length=100)
    created = models.DateTimeField()
    expires = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "-created"])]

    def __str__(self) -> str:
        return f"{self.purpose} code for {self.user_id}"

    @property
    def pretty(self) -> str:
        return pretty(self.number)

    @property
    def masked(self) -> str:
        return masked(self.number)
