"""After PANIC, the first new factor waits for a confirmation link sent to the account's e-mail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EnrolmentHold(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_hold")
    since = models.DateTimeField(_("PANIC at"))
    # The confirmation link: only its SHA-256 is kept.
    link_digest = models.CharField(max_length=64, blank=True)
    link_sent = models.DateTimeField(_("link sent"), null=True, blank=True)
    link_expires = models.DateTimeField(_("link expires"), null=True, blank=True)
    next_url = models.CharField(max_length=500, blank=True)
    released = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("hold on new verification methods")
        verbose_name_plural = _("holds on new verification methods")

    def __str__(self) -> str:
        return f"hold for {self.user_id} since {self.since:%Y-%m-%d %H:%M}"

    @property
    def active(self) -> bool:
        return self.released is None
