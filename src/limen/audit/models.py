"""Append-only record of security events.

Rows are never updated or deleted by the application (``save`` and
``delete`` refuse), and the migration adds database triggers so that not even
a raw query or the admin can rewrite history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .events import Event


class AppendOnlyError(Exception):
    pass


class AuditEvent(models.Model):
    time = models.DateTimeField(_("time"), db_index=True)
    # No database constraint and no cascade: history outlives the account.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    email = models.CharField(_("e-mail at the time"), max_length=254, blank=True)
    # No choices on the column: each area adds events, and the schema should not
    # change each time. get_event_display() reads the label from Event.
    event = models.CharField(_("event"), max_length=64, db_index=True)
    ip = models.CharField(_("IP address"), max_length=64, blank=True)
    user_agent = models.CharField(_("browser"), max_length=400, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["user", "-time"])]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.event} {self.email}"

    def get_event_display(self) -> str:
        try:
            return Event(self.event).label
        except ValueError:
            return self.event

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")
