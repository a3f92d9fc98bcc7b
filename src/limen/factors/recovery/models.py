"""Single-use recovery codes. Only a keyed hash (HMAC-SHA256) of each code is stored."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecoveryCode(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    # crypto.keyed_digest: the key's id, a colon and 64 hex digits (only the hex for the legacy key).
    digest = models.CharField(max_length=100)
    created = models.DateTimeField(_("created"))
    used = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        indexes = [models.Index(fields=["user", "used"])]

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"
