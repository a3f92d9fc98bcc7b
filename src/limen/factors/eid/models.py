"""National eID through upstream OpenID Connect identity providers.

An operator configures each UpstreamProvider (one per national eID scheme or
broker). A person links the identity they have there (issuer + subject) to
their account: EidLink. Client secrets are stored encrypted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from limen.core import crypto

SECRET_PURPOSE = "eid-upstream-client-secret"


class TokenAuthMethod(models.TextChoices):
    CLIENT_SECRET_BASIC = "client_secret_basic", _("HTTP Basic (client_secret_basic)")
    CLIENT_SECRET_POST = "client_secret_post", _("In the request body (client_secret_post)")


class UpstreamProvider(models.Model):
    name = models.CharField(_("name"), max_length=100, help_text=_("Shown to people, e.g. “Belgian eID (itsme)”."))
    slug = models.SlugField(_("short name"), max_length=40, unique=True, help_text=_("Used in addresses."))
    issuer = models.URLField(_("issuer"), max_length=255, unique=True,
                             help_text=_("The provider's issuer; its discovery document is read from "
                                         "<issuer>/.well-known/openid-configuration."))
    client_id = models.CharField(_("client ID"), max_length=255)
    client_secret_encrypted = models.TextField(_("client secret (encrypted)"), blank=True, editable=False)
    token_auth_method = models.CharField(_("client authentication"), max_length=32, choices=TokenAuthMethod.choices,
                                         default=TokenAuthMethod.CLIENT_SECRET_BASIC)
    scopes = models.CharField(_("scopes"), max_length=200, default="openid profile email",
                              help_text=_("Space separated; must include openid."))
    enabled = models.BooleanField(_("enabled"), default=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("eID provider")
        verbose_name_plural = _("eID providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def set_secret(self, secret: str) -> None:
        self.client_secret_encrypted = crypto.encrypt(secret.encode(), purpose=SECRET_PURPOSE) if secret else ""

    def secret(self) -> str:
        if not self.client_secret_encrypted:
            return ""
        return crypto.decrypt(self.client_secret_encrypted, purpose=SECRET_PURPOSE).decode()

    @property
    def scope_list(self) -> list[str]:
        scopes = self.scopes.split()
        return scopes if "openid" in scopes else ["openid", *scopes]


class EidLink(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="eid_links")
    provider = models.ForeignKey(UpstreamProvider, on_delete=models.CASCADE, related_name="links",
                                 verbose_name=_("eID provider"))
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("identifier at the provider"), max_length=255)
    created = models.DateTimeField(_("linked"))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("eID link")
        verbose_name_plural = _("eID links")
        ordering = ["created"]
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="eid_link_unique_identity")]

    def __str__(self) -> str:
        return f"{self.provider} → {self.user_id}"
