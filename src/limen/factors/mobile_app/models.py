"""Devices, enrolments, sign-in challenges and the replay guard of the device API.

Secrets (the device secret K, the PIN verifier V and the OCRA PIN hash P)
are stored only encrypted through limen.core.crypto. The PIN itself is never
stored. Public ids (``public_id``) are random and are what URLs and the API
carry; database ids stay inside.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from limen.core import clock


def new_public_id() -> str:
    # Hex, not URL-safe base64: people type prefixes of these ids on a command
    # line, and an id starting with "-" would read as an option.
    return secrets.token_hex(16)  # 32 characters, 128 bits


class DeviceStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the PIN in the app")
    ACTIVE = "active", _("active")


class MobileDevice(models.Model):
    NAME_MAX = 50

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mobile_devices",
                             verbose_name=_("account"))
    public_id = models.CharField(_("device id"), max_length=32, unique=True, default=new_public_id, editable=False)
    name = models.CharField(_("name"), max_length=NAME_MAX)
    status = models.CharField(_("status"), max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.PENDING)
    algorithm = models.CharField(_("key algorithm"), max_length=16, default="ES256")
    public_key = models.CharField(_("public key"), max_length=200)
    # Encrypted JSON {"k": device secret, "v": PIN verifier, "p": OCRA PIN hash} (base64url values).
    sealed = models.TextField()
    app_label = models.CharField(_("app"), max_length=100, blank=True)
    created = models.DateTimeField(_("added"), default=clock.now)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    failed_pins = models.PositiveSmallIntegerField(_("wrong PINs in a row"), default=0)
    locked_at = models.DateTimeField(_("locked since"), null=True, blank=True)

    class Meta:
        verbose_name = _("mobile device")
        verbose_name_plural = _("mobile devices")
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_active(self) -> bool:
        return self.status == DeviceStatus.ACTIVE


class EnrolmentStatus(models.TextChoices):
    WAITING = "waiting", _("waiting for the app to scan the QR code")
    SCANNED = "scanned", _("scanned; waiting for the PIN in the app")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


class Enrolment(models.Model):
    """One attempt to add a device: the QR code's single-use token and what the browser chose."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    token_digest = models.CharField(max_length=64, unique=True)
    device_name = models.CharField(max_length=MobileDevice.NAME_MAX)
    # Encrypted like MobileDevice.sealed; derived from the browser's PIN, which is then forgotten.
    sealed = models.TextField()
    status = models.CharField(max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.WAITING)
    device = models.ForeignKey(MobileDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # "Forgot PIN": the device that the new one takes the place of once the new PIN is proved.
    replaces = models.ForeignKey(MobileDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    pin_failures = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(default=clock.now)
    expires = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "status"])]

    def is_expired(self) -> bool:
        return self.expires <= clock.now()


class ChallengeStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the app")
    APPROVED = "approved", _("approved")
    DENIED = "denied", _("denied")
    USED = "used", _("used to sign in")
    CANCELLED = "cancelled", _("cancelled")


class PushChallenge(models.Model):
    """A sign-in request sent to one device: approve with the PIN, or deny."""

    APPLICATION_MAX = 200
    BROWSER_MAX = 200

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey(MobileDevice, on_delete=models.CASCADE, related_name="challenges")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    number = models.CharField(max_length=2)
    application = models.CharField(max_length=APPLICATION_MAX)
    browser = models.CharField(max_length=BROWSER_MAX, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=ChallengeStatus.choices, default=ChallengeStatus.PENDING)
    created = models.DateTimeField(default=clock.now)
    expires = models.DateTimeField()
    answered = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["device", "status", "expires"])]

    def is_expired(self) -> bool:
        return self.expires <= clock.now()


class OtpChallenge(models.Model):
    """The challenge in a one-time password QR code: single use, short-lived, few tries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    challenge = models.CharField(max_length=8)
    created = models.DateTimeField(default=clock.now)
    expires = models.DateTimeField()
    used = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    device = models.ForeignKey(MobileDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    def is_expired(self) -> bool:
        return self.expires <= clock.now()


class SeenNonce(models.Model):
    """Nonces of device API calls, kept until their timestamp is out of the window: no replay."""

    scope = models.CharField(max_length=64)  # device id, or "key:<digest>" for enrolment calls
    nonce = models.CharField(max_length=64)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "nonce"], name="mobile_nonce_once")]


class Wakeup(models.Model):
    """A short-lived note that something changed, read by every server process (see channel.py)."""

    key = models.CharField(max_length=64)
    created = models.DateTimeField(default=clock.now, db_index=True)


class PushSubscription(models.Model):
    """Where Web Push reaches a device's web app (the browser's push service); one per device.

    Removed with the device (unlink, removal, PANIC): the FK cascades."""

    ENDPOINT_MAX = 1000

    device = models.OneToOneField(MobileDevice, on_delete=models.CASCADE, related_name="push_subscription")
    endpoint = models.CharField(max_length=ENDPOINT_MAX)
    p256dh = models.CharField(max_length=100)  # the browser's ECDH public key (base64url)
    auth = models.CharField(max_length=40)  # the shared authentication secret (base64url)
    created = models.DateTimeField(default=clock.now)


class DeviceCredential(models.Model):
    """A platform credential (fingerprint, face) made on the phone for one device: an approval signed by
    it is accepted in place of the PIN proof (docs/mobile-app.md, "Unlock with biometrics")."""

    device = models.OneToOneField(MobileDevice, on_delete=models.CASCADE, related_name="biometric")
    credential_id = models.BinaryField(max_length=1024)
    public_key = models.BinaryField(max_length=1024)
    sign_count = models.PositiveBigIntegerField(default=0)
    created = models.DateTimeField(default=clock.now)


class VapidKey(models.Model):
    """The server's VAPID key pair for Web Push (RFC 8292): made once, the private key sealed."""

    sealed_private_key = models.TextField()
    public_key = models.CharField(max_length=100)  # uncompressed P-256 point, base64url
    created = models.DateTimeField(default=clock.now)
