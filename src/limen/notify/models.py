"""The durable delivery queue's table (limen.notify.queue): every message is stored before it is sent.

If the mail server, the SMS gateway or an application is down, the message
waits here and is retried with back-off; nothing a person did is lost. Areas
that send other kinds of message (CAS single logout, OpenID Connect
back-channel logout) add a channel and, for their own code, a proxy model
that reads their rows (``ChannelManager``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    EMAIL = "email", pgettext_lazy("message channel", "E-mail")
    SMS = "sms", _("SMS")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Gave up")


class ChannelManager(models.Manager):
    """The rows of one channel, for the proxy model of the area that sends them."""

    def __init__(self, channel: str):
        super().__init__()
        self.channel = channel

    def get_queryset(self):
        return super().get_queryset().filter(channel=self.channel)

    def deconstruct(self):  # migrations see a plain manager
        return models.Manager().deconstruct()


class OutboxMessage(models.Model):
    created = models.DateTimeField(_("created"), db_index=True)
    # Not a fixed list: areas register their channels (limen.notify.queue.register).
    channel = models.CharField(_("channel"), max_length=16, default=Channel.EMAIL)
    recipient = models.CharField(_("recipient"), max_length=2000)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    body = models.TextField(_("body"), blank=True)
    kind = models.CharField(_("kind"), max_length=64, blank=True, help_text=_("Which notice this is."))
    # What a channel needs besides (the session a logout is about, ...); never secrets.
    payload = models.JSONField(_("details"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt = models.DateTimeField(_("next attempt"), db_index=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent = models.DateTimeField(_("sent"), null=True, blank=True)
    # Messages that are useless late (an SMS code) are dropped, not sent, after this.
    expires = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient}: {self.subject}"


class DeferredJob(models.Model):
    """Work whose outcome depends on account data, stored in the request and done after
    the response (limen.notify.deferred), so the response is the same for every address.

    Not shown in the operators' site (rows live for milliseconds), hence no translated names.
    """

    created = models.DateTimeField()
    kind = models.CharField(max_length=64)
    params = models.JSONField(default=dict)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt = models.DateTimeField(db_index=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["next_attempt", "id"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.attempts} attempts)"


class JobLease(models.Model):
    """Who runs a periodic job now: however many instances run the worker, a job with a lease runs
    once per period (limen.notify.worker)."""

    name = models.CharField(primary_key=True, max_length=200)
    until = models.DateTimeField()

    class Meta:
        verbose_name = _("background job lease")
        verbose_name_plural = _("background job leases")

    def __str__(self) -> str:
        return f"{self.name} until {self.until:%H:%M:%S}"
