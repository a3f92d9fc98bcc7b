"""OpenID Connect provider data.

- Client: an application registered by an operator (django-oauth-toolkit's
  Application, swapped in so it can carry how it authenticates, its keys and
  its back-channel logout address).
- SigningKey: the provider's signing keys, one family per algorithm (RSA for
  RS256, P-256 for ES256); in each, one active, the next one published ahead
  of use, retired ones published until their tokens have expired.
- Authorization: one per authorization code, remembering how the person had
  signed in (acr, amr, auth_time) and in which SSO session (sid).
- TokenIssue: the tokens an authorization code turned into (to revoke them on
  code reuse and at sign-out, and to find acr/amr again on refresh).
- BackchannelLogout: a logout notice to deliver to a client, retried until sent.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AbstractApplication, ApplicationManager

from limen.notify.models import ChannelManager, OutboxMessage, Status

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class AuthMethod(models.TextChoices):
    CLIENT_SECRET_BASIC = "client_secret_basic", _("Client secret, HTTP Basic (client_secret_basic)")
    CLIENT_SECRET_POST = "client_secret_post", _("Client secret in the request body (client_secret_post)")
    CLIENT_SECRET_JWT = "client_secret_jwt", _("JWT signed with the client secret (client_secret_jwt)")
    PRIVATE_KEY_JWT = "private_key_jwt", _("JWT signed with the client's private key (private_key_jwt)")
    NONE = "none", _("None: public client, PKCE only (none)")


SECRET_METHODS = {AuthMethod.CLIENT_SECRET_BASIC, AuthMethod.CLIENT_SECRET_POST, AuthMethod.CLIENT_SECRET_JWT}


def check_redirect_uri(uri: str) -> None:
    """https, or http on a loopback address (development); no fragment; absolute."""
    parts = urlsplit(uri)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise ValidationError(_("%(uri)s is not an absolute http(s) address.") % {"uri": uri})
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS and not settings.DEBUG:
        raise ValidationError(_("%(uri)s must use https (http is only allowed for 127.0.0.1 and localhost).")
                              % {"uri": uri})
    if parts.fragment or "#" in uri:
        raise ValidationError(_("%(uri)s must not contain a fragment (#).") % {"uri": uri})
    if any(ch.isspace() for ch in uri):
        raise ValidationError(_("%(uri)s must not contain spaces.") % {"uri": uri})


class IdTokenAlg(models.TextChoices):
    """How ID tokens and logout tokens are signed for an application (its id_token_signed_response_alg)."""

    RS256 = "RS256", _("RS256 (RSA with SHA-256)")
    ES256 = "ES256", _("ES256 (ECDSA P-256 with SHA-256)")


class Client(AbstractApplication):
    token_endpoint_auth_method = models.CharField(
        _("client authentication"), max_length=32, choices=AuthMethod.choices,
        default=AuthMethod.CLIENT_SECRET_BASIC,
        help_text=_("How the application proves its identity at the token endpoint."),
    )
    # client_secret_jwt needs the secret itself (it is the HMAC key); kept encrypted at rest.
    secret_encrypted = models.TextField(_("encrypted secret"), blank=True, default="", editable=False)
    jwks = models.JSONField(
        _("public keys (JWKS)"), null=True, blank=True,
        help_text=_('For private_key_jwt: the application\'s public keys as a JWK set, {"keys": [...]}.'),
    )
    jwks_uri = models.URLField(
        _("public keys address (jwks_uri)"), max_length=500, blank=True,
        help_text=_("For private_key_jwt: where Limen fetches the application's public keys, instead of pasting them."),
    )
    backchannel_logout_uri = models.URLField(
        _("back-channel logout address"), max_length=254, blank=True,
        help_text=_("Limen posts a logout token here when a person who used the application signs out."),
    )
    pkce_required = models.BooleanField(
        _("PKCE required"), default=True,
        help_text=_("Every authorization request must carry a code_challenge (S256). Always on for public "
                    "clients; clear it only for a confidential application that cannot send one."),
    )
    active = models.BooleanField(_("active"), default=True,
                                 help_text=_("Clear to stop the application from signing anyone in."))
    id_token_alg = models.CharField(
        _("ID token signature"), max_length=8, choices=IdTokenAlg.choices, default=IdTokenAlg.RS256,
        help_text=_("How Limen signs this application's ID tokens and logout tokens. Every OpenID Connect "
                    "library accepts RS256; ES256 is smaller and much cheaper to make, for applications "
                    "whose library supports it."),
    )

    objects = ApplicationManager()

    class Meta:
        verbose_name = _("OpenID Connect client")
        verbose_name_plural = _("OpenID Connect clients")

    def natural_key(self):
        return (self.client_id,)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.id_token_alg != IdTokenAlg.RS256:
            # Published before they sign anything: the application can fetch them from the JWKS at once.
            # (The RSA keys are made on first use, as before: every deployment has them.)
            from . import keys

            keys.ensure(self.id_token_alg)

    @property
    def is_public(self) -> bool:
        return self.client_type == self.CLIENT_PUBLIC

    # Redirect URIs are compared exactly, character for character.
    def redirect_uri_allowed(self, uri: str) -> bool:
        return uri in self.redirect_uris.split()

    def post_logout_redirect_uri_allowed(self, uri: str) -> bool:
        return uri in self.post_logout_redirect_uris.split()

    def is_usable(self, request) -> bool:
        return self.active

    @property
    def jwk_key(self):
        from . import keys

        return keys.active().jwk

    def allows_grant_type(self, *grant_types):
        return self.authorization_grant_type in grant_types

    def clean(self) -> None:
        errors: dict[str, list] = {}
        uris = self.redirect_uris.split()
        if not uris:
            errors.setdefault("redirect_uris", []).append(_("Give at least one redirect URI."))
        for uri in uris + self.post_logout_redirect_uris.split():
            try:
                check_redirect_uri(uri)
            except ValidationError as error:
                field = "redirect_uris" if uri in uris else "post_logout_redirect_uris"
                errors.setdefault(field, []).extend(error.messages)
        if self.backchannel_logout_uri:
            try:
                check_redirect_uri(self.backchannel_logout_uri)
            except ValidationError as error:
                errors.setdefault("backchannel_logout_uri", []).extend(error.messages)
        if self.authorization_grant_type != self.GRANT_AUTHORIZATION_CODE:
            errors.setdefault("authorization_grant_type", []).append(
                _("Limen supports the authorization code flow only."))
        method = self.token_endpoint_auth_method
        if self.client_type == self.CLIENT_PUBLIC and method != AuthMethod.NONE:
            errors.setdefault("token_endpoint_auth_method", []).append(
                _("A public client has no secret: choose “none”."))
        if self.client_type == self.CLIENT_PUBLIC and not self.pkce_required:
            from .pkce import PUBLIC_CLIENT_MUST_USE_PKCE

            errors.setdefault("pkce_required", []).append(PUBLIC_CLIENT_MUST_USE_PKCE)
        if self.client_type == self.CLIENT_CONFIDENTIAL and method == AuthMethod.NONE:
            errors.setdefault("token_endpoint_auth_method", []).append(
                _("A confidential client must authenticate: choose a secret or a key."))
        if method == AuthMethod.PRIVATE_KEY_JWT and not (self.jwks or self.jwks_uri):
            errors.setdefault("jwks", []).append(_("private_key_jwt needs the application's public keys."))
        if self.jwks:
            from .internal import jose

            try:
                jose.public_key_set(self.jwks)
            except jose.JoseError:
                errors.setdefault("jwks", []).append(_("This is not a valid JWK set of public keys."))
        if errors:
            raise ValidationError(errors)


class KeyState(models.TextChoices):
    NEXT = "next", _("Published, used after the next rotation")
    ACTIVE = "active", _("Signing")
    RETIRED = "retired", _("Retired, published until its tokens expire")


class SigningKey(models.Model):
    kid = models.CharField(_("key ID"), max_length=64, unique=True)
    alg = models.CharField(_("algorithm"), max_length=8, choices=IdTokenAlg.choices, default=IdTokenAlg.RS256)
    state = models.CharField(_("state"), max_length=8, choices=KeyState.choices)
    private_key = models.TextField(_("private key (encrypted)"))
    public_jwk = models.JSONField(_("public key"))
    created = models.DateTimeField(_("created"))
    activated = models.DateTimeField(_("signing since"), null=True, blank=True)
    retired = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["alg", "state"], condition=Q(state="active"),
                                    name="oidc_one_active_key_per_alg"),
            models.UniqueConstraint(fields=["alg", "state"], condition=Q(state="next"),
                                    name="oidc_one_next_key_per_alg"),
        ]

    def __str__(self) -> str:
        return f"{self.kid} ({self.alg}, {self.state})"


class Authorization(models.Model):
    code_digest = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="authorizations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sid = models.CharField(_("session ID"), max_length=64, db_index=True)
    acr = models.CharField(_("authentication level"), max_length=16)
    amr = models.JSONField(_("methods used"), default=list)
    strengths = models.JSONField(_("strengths"), default=list)
    requested_claims = models.JSONField(_("claims requested"), default=dict, blank=True)
    auth_time = models.DateTimeField(_("signed in"))
    created = models.DateTimeField(_("created"), db_index=True)
    consumed = models.DateTimeField(_("code used"), null=True, blank=True)

    class Meta:
        verbose_name = _("authorization")
        verbose_name_plural = _("authorizations")

    def __str__(self) -> str:
        return f"{self.client} for {self.user_id} ({self.created:%Y-%m-%d %H:%M})"


class TokenIssue(models.Model):
    authorization = models.ForeignKey(Authorization, on_delete=models.CASCADE, related_name="issues")
    token_family = models.UUIDField(null=True, blank=True, db_index=True)
    # Indexed: userinfo and introspection find a token's sign-in record by it, at every call.
    access_token_checksum = models.CharField(max_length=64, blank=True, db_index=True)
    created = models.DateTimeField()


DeliveryStatus = Status  # the delivery queue's statuses (pending, sent, failed)


class BackchannelLogout(OutboxMessage):
    """A logout notice for a client (OpenID Connect Back-Channel Logout), as a row of the delivery queue
    (limen.notify.queue, channel "oidc_logout"). The logout token is minted at each attempt."""

    CHANNEL = "oidc_logout"
    objects = ChannelManager(CHANNEL)

    class Meta:
        proxy = True
        verbose_name = _("back-channel logout")
        verbose_name_plural = _("back-channel logouts")

    @property
    def client(self) -> Client | None:
        return Client.objects.filter(pk=self.payload.get("client")).first()

    @property
    def subject_id(self) -> str:
        return self.payload.get("sub", "")

    @property
    def sid(self) -> str:
        return self.payload.get("sid", "")

    def __str__(self) -> str:
        return f"logout of {self.sid} at {self.recipient}"
