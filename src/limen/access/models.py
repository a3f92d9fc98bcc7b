"""Access policies, the people who validate, the requests and their validation codes.

- AccessPolicy: an application (CAS service or OpenID Connect client, see
  applications.py) requires that a person be validated before it gets access;
  the level they must have signed in with, the message after submitting.
- RequestField: one field of the request form (typed; see fields.py).
- ValidatorRole: an operator who decides the requests of one application.
- ApiToken: lets a back-office system list and decide the requests of one
  application; only a keyed hash of its secret is kept.
- AccessRequest: one person asking for access to one application, the values
  they submitted, the decision, and the validation code (a keyed hash, its
  expiry and the wrong tries counted).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from limen.signin.models import Level

from .fields import Kind, Prefill


class AccessPolicy(models.Model):
    protocol = models.CharField(_("protocol"), max_length=8)
    app_key = models.CharField(_("application"), max_length=64)
    app_name = models.CharField(_("application name"), max_length=200,
                                help_text=_("Kept from the application's registration, for lists."))
    slug = models.SlugField(_("address of the request page"), max_length=60, unique=True,
                            help_text=_("The request page is /access/<this>/."))
    level = models.PositiveSmallIntegerField(_("level to request with"), choices=Level.choices, default=Level.MEDIUM,
                                             help_text=_("How strongly the person must have signed in to "
                                                         "request access and to enter the code."))
    intro = models.TextField(_("text above the form"), blank=True, max_length=2000)
    acknowledgement = models.TextField(
        _("message after submitting"), blank=True, max_length=2000,
        help_text=_("For example how long processing takes and how the code will come."))
    enabled = models.BooleanField(_("enabled"), default=True,
                                  help_text=_("Clear to stop requiring validation (nobody is sent to the request "
                                              "page, and nothing is released)."))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("access policy")
        verbose_name_plural = _("access policies")
        ordering = ["app_name"]
        constraints = [models.UniqueConstraint(fields=["protocol", "app_key"], name="access_one_policy_per_app")]

    def __str__(self) -> str:
        return self.app_name or f"{self.protocol}:{self.app_key}"


class RequestField(models.Model):
    policy = models.ForeignKey(AccessPolicy, on_delete=models.CASCADE, related_name="fields")
    name = models.CharField(_("attribute name"), max_length=40,
                            help_text=_("What the application receives, e.g. personnelNumber."))
    label = models.JSONField(_("label"), help_text=_('Text, or one per language: {"en": "…", "fr": "…"}.'))
    help = models.JSONField(_("help text"), default=str, blank=True)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(_("required"), default=True)
    pattern = models.CharField(_("validation pattern"), max_length=200, blank=True,
                               help_text=_("A regular expression the whole value must match (text and identifier)."))
    choices = models.JSONField(_("choices"), default=list, blank=True)
    max_length = models.PositiveSmallIntegerField(_("maximum length"), default=100)
    prefill = models.CharField(_("filled in from the account"), max_length=12, choices=Prefill.choices,
                               blank=True)
    released = models.BooleanField(_("released to the application"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("request field")
        verbose_name_plural = _("request fields")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["policy", "name"], name="access_field_name_once")]

    def __str__(self) -> str:
        return self.name


class ValidatorRole(models.Model):
    policy = models.ForeignKey(AccessPolicy, on_delete=models.CASCADE, related_name="validators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="validator_roles")
    added = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("validator")
        verbose_name_plural = _("validators")
        constraints = [models.UniqueConstraint(fields=["policy", "user"], name="access_validator_once")]

    def __str__(self) -> str:
        return f"{self.user} validates {self.policy}"


class ApiToken(models.Model):
    policy = models.ForeignKey(AccessPolicy, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("Which system uses it."))
    public_id = models.CharField(_("token ID"), max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created = models.DateTimeField(_("created"))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.public_id})"


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting for validation")
    CODE_SENT = "code_sent", _("Validation code sent")
    ACTIVE = "active", _("Active")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Access revoked")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN = (Status.PENDING, Status.CODE_SENT, Status.ACTIVE)


class Delivery(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class AccessRequest(models.Model):
    public_id = models.UUIDField(_("request ID"), default=uuid.uuid4, unique=True, editable=False)
    policy = models.ForeignKey(AccessPolicy, on_delete=models.CASCADE, related_name="requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    values = models.JSONField(_("submitted details"), default=dict)
    delivery = models.CharField(_("code sent by"), max_length=5, choices=Delivery.choices, default=Delivery.EMAIL)
    number = models.CharField(_("mobile number for the code"), max_length=20, blank=True)
    submitted = models.DateTimeField(_("submitted"))
    decided = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=254, blank=True,
                                  help_text=_("The validator's e-mail, or the API token that decided."))
    reason = models.TextField(_("reason"), blank=True, max_length=1000)
    activated = models.DateTimeField(_("active since"), null=True, blank=True)
    ended = models.DateTimeField(_("ended"), null=True, blank=True)
    # The validation code: only a keyed hash (codes.digest), bound to this request.
    code_digest = models.CharField(max_length=64, blank=True, editable=False)
    code_sent = models.DateTimeField(_("code sent"), null=True, blank=True)
    code_expires = models.DateTimeField(_("code expires"), null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(_("codes tried"), default=0)

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-submitted"]
        constraints = [
            # One open request per person and application: a second one while one is pending is refused.
            models.UniqueConstraint(fields=["policy", "user"], condition=Q(status__in=[s.value for s in OPEN]),
                                    name="access_one_open_request"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.policy} ({self.status})"

    @property
    def code_locked(self) -> bool:
        return self.status == Status.CODE_SENT and self.code_attempts >= settings.ACCESS_CODE_ATTEMPTS
