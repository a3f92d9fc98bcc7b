"""Registered applications, the tickets issued to them, and pending logout requests.

Tickets live in the database so that every server process sees them. A
ticket belongs to the SSO session it was issued from (the CAS ticket-granting
session): when that session ends, its tickets and proxy-granting tickets go
with it and each application that got a ticket is sent a logout request.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from limen.notify.models import ChannelManager, OutboxMessage, Status
from limen.signin.models import Level, SsoSession

MAX_URL = 2048


class ResponseLayout(models.TextChoices):
    """How a successful validation lists the attributes (docs/cas.md, "What you receive")."""

    CAS3 = "cas3", _("CAS 3.0: attributes inside cas:attributes only")
    EU_LOGIN = "eulogin", _("EU Login: also directly under cas:authenticationSuccess, on /serviceValidate and "
                            "/proxyValidate")


class Service(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True,
                            help_text=_("Shown to people, e.g. on the sign-out page."))
    url_pattern = models.CharField(
        _("service URL pattern"), max_length=MAX_URL, unique=True,
        help_text=_("A URL prefix such as https://app.example.org/ (same scheme, host and port; the path "
                    "starts with the pattern's path), or a regular expression starting with ^ that must "
                    "match the whole service URL."),
    )
    attributes = models.JSONField(_("attributes released"), default=list, blank=True)
    level = models.PositiveSmallIntegerField(_("required authentication level"), choices=Level.choices,
                                             default=Level.BASIC)
    slo_url = models.CharField(
        _("single-logout URL"), max_length=MAX_URL, blank=True,
        help_text=_("Where logout requests are posted. Empty: the service URL the ticket was issued for."),
    )
    proxy_callback_pattern = models.CharField(
        _("proxy callback URL pattern"), max_length=MAX_URL, blank=True,
        help_text=_("Empty: the service may not obtain proxy-granting tickets. Same syntax as the service "
                    "URL pattern."),
    )
    response_layout = models.CharField(
        _("validation response layout"), max_length=8, choices=ResponseLayout.choices,
        default=ResponseLayout.CAS3,
        help_text=_("EU Login applications read the attributes directly under cas:authenticationSuccess; "
                    "they get that layout from /serviceValidate and /proxyValidate. The CAS 3.0 endpoints "
                    "(/p3/...) always answer as the CAS 3.0 schema says."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("CAS application")
        verbose_name_plural = _("CAS applications")

    def __str__(self) -> str:
        return self.name


class TicketBase(models.Model):
    """What a ticket says about the sign-in it came from."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sso_session = models.ForeignKey(SsoSession, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created = models.DateTimeField()
    expires = models.DateTimeField(db_index=True)
    auth_time = models.DateTimeField()
    strengths = models.JSONField(default=list)
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.BASIC)
    from_sso = models.BooleanField(default=False, help_text=_("Issued from an existing SSO session, "
                                                              "not from credentials just presented."))
    # The proxy callback URLs this authentication went through, most recent first.
    proxies = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True


class ServiceTicket(TicketBase):
    """A service ticket (ST-) or proxy ticket (PT-): single use, short-lived, bound to one service URL."""

    ticket = models.CharField(max_length=64, unique=True)
    service_url = models.TextField()
    consumed = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("service ticket")
        verbose_name_plural = _("service tickets")

    def __str__(self) -> str:
        return f"{self.ticket[:7]}… for {self.service_id}"

    @property
    def is_proxy(self) -> bool:
        return self.ticket.startswith("PT-")


class ProxyGrantingTicket(TicketBase):
    """A PGT lets a service get proxy tickets for others. Only its SHA-256 is stored."""

    digest = models.CharField(max_length=64, unique=True)
    callback_url = models.TextField()

    class Meta:
        verbose_name = _("proxy-granting ticket")
        verbose_name_plural = _("proxy-granting tickets")

    def __str__(self) -> str:
        return f"PGT for {self.service_id}"


class LogoutRequest(OutboxMessage):
    """A CAS 3 SAML LogoutRequest for an application, as a row of the delivery queue (limen.notify.queue)."""

    CHANNEL = "cas_logout"
    objects = ChannelManager(CHANNEL)

    class Meta:
        proxy = True
        verbose_name = _("logout request")
        verbose_name_plural = _("logout requests")

    @property
    def url(self) -> str:
        return self.recipient

    @property
    def service_name(self) -> str:
        return self.subject

    @property
    def session_index(self) -> str:
        return self.payload.get("session_index", "")

    def __str__(self) -> str:
        return f"logout {self.session_index[:7]}… to {self.service_name}"
