"""One "On Mobile" request: a browser on a phone asks the app on the same phone to sign a person in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from limen.core import clock
from limen.factors.mobile_app.models import MobileDevice, new_public_id


class Status(models.TextChoices):
    PENDING = "pending", _("waiting for the app")
    APPROVED = "approved", _("approved")
    DENIED = "denied", _("denied")
    USED = "used", _("used to sign in")


class OnMobileRequest(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    # SHA-256 of the secret the browser hands to the app through their shared storage (never in a URL).
    handover_digest = models.CharField(max_length=64)
    application = models.CharField(max_length=200)
    browser = models.CharField(max_length=200, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    device = models.ForeignKey(MobileDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created = models.DateTimeField(default=clock.now)
    expires = models.DateTimeField()
    answered = models.DateTimeField(null=True, blank=True)

    def is_expired(self) -> bool:
        return self.expires <= clock.now()
