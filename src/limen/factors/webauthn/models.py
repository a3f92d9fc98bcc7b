"""Security keys, trusted platforms and passkeys (WebAuthn credentials).

A credential's public key is not a secret; the private key never leaves the
authenticator. Credential ids are unique across all accounts.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SECURITY_KEY = "security_key", _("Security key")
    PLATFORM = "platform", _("Trusted platform")


class WebAuthnUser(models.Model):
    """The random user handle the authenticators keep (not the e-mail, not the identifier given to apps)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webauthn")
    handle = models.BinaryField(max_length=64, unique=True)

    def __str__(self) -> str:
        return f"WebAuthn handle of {self.user_id}"


class WebAuthnCredential(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webauthn_credentials")
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    # base64url of the raw credential id, so that it can be indexed and compared on every database.
    credential_id = models.CharField(max_length=1400, unique=True)
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    aaguid = models.CharField(_("authenticator model (AAGUID)"), max_length=36, blank=True)
    transports = models.JSONField(default=list, blank=True)
    attestation_format = models.CharField(max_length=32, blank=True)
    discoverable = models.BooleanField(_("passkey"), null=True, blank=True,
                                       help_text=_("Can sign in without a password (a discoverable credential)."))
    backed_up = models.BooleanField(_("synced"), default=False)
    created = models.DateTimeField(_("added"))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    clone_suspected = models.DateTimeField(
        _("possible copy detected"), null=True, blank=True,
        help_text=_("Its signature counter went backwards once: the key may have been copied."))

    class Meta:
        verbose_name = _("security key or trusted platform")
        verbose_name_plural = _("security keys and trusted platforms")
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["user", "created"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def model_name(self) -> str:
        from .aaguids import model_name

        return model_name(self.aaguid)
