"""The SSO session as Limen sees it: who, since when, from where, how strong."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    BASIC = 10, "BASIC"
    MEDIUM = 20, "MEDIUM"
    HIGH = 30, "HIGH"


class SsoSession(models.Model):
    session_key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_sessions")
    created = models.DateTimeField(_("signed in"))
    last_seen = models.DateTimeField(_("last seen"))
    expires = models.DateTimeField(_("expires"))
    ip = models.CharField(_("IP address"), max_length=64, blank=True)
    user_agent = models.CharField(_("browser"), max_length=400, blank=True)
    strengths = models.JSONField(_("methods used"), default=list)
    level = models.PositiveSmallIntegerField(_("authentication level"), choices=Level.choices, default=Level.BASIC)

    class Meta:
        verbose_name = _("SSO session")
        verbose_name_plural = _("SSO sessions")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.user_id} since {self.created:%Y-%m-%d %H:%M}"


class SigninTransaction(models.Model):
    """A sign-in in progress (limen.signin.transaction), kept server-side.

    ``browser`` binds it to the browser that started it (a digest of a secret
    in that browser's session); ``completed`` makes it single-use; ``used``
    records that the protocol that asked for it has taken the fresh sign-in.
    """

    id = models.CharField(primary_key=True, max_length=32)
    browser = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    created = models.DateTimeField()
    expires = models.DateTimeField(db_index=True)
    completed = models.DateTimeField(null=True, blank=True)
    used = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in in progress")
        verbose_name_plural = _("sign-ins in progress")
        # A protocol asks "did this browser just complete a sign-in for me?" on every request that
        # comes back from the sign-in pages: never a scan of the table (it holds 30 minutes of sign-ins).
        indexes = [models.Index(fields=["browser", "completed"], name="signin_tx_browser_completed")]

    def __str__(self) -> str:
        return self.id
