"""django-oauth-toolkit's request validator, adapted to Limen.

What it adds to the toolkit:
- client authentication with the registered method only, including the JWT
  methods (client_secret_jwt, private_key_jwt), with a failure limit per IP;
- PKCE required for public clients and, unless an operator relaxed it, for
  confidential ones; a code issued without PKCE is never redeemed with a
  code_verifier (pkce.py); the authorization code flow only;
- an Authorization record per code (acr, amr, auth_time, sid), used for the
  ID token, for refresh, and for back-channel logout;
- a reused authorization code revokes every token issued from it;
- ID tokens signed with the rotating key set (keys.py), with acr, amr, sid;
- claims from Limen's account (sub is the account's stable identifier);
- token introspection (RFC 7662) for a client's own tokens.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from types import SimpleNamespace

from django.conf import settings
from django.db import router, transaction
from django.urls import reverse
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from limen.access import gate as access_gate
from limen.accounts import rows as account_rows
from limen.core import clock, ratelimit, sql
from limen.core.net import client_ip

from . import access_link, clientauth, codes, keys, pkce, services
from . import claims as claims_mod
from .internal import jose
from .models import AuthMethod, Authorization, Client, TokenIssue

log = logging.getLogger("limen.oidc")

AccessToken = get_access_token_model()
Grant = get_grant_model()
RefreshToken = get_refresh_token_model()
IDToken = get_id_token_model()


def failure_limit() -> ratelimit.Limit:
    return ratelimit.Limit("oidc-client-auth", settings.OIDC_CLIENT_AUTH_FAILURES_PER_IP,
                           settings.RATE_LIMIT_WINDOW_SECONDS)


def _ip(request) -> str:
    return client_ip(SimpleNamespace(META=request.headers))


# Statements compiled once: the client of a client_id (every authorization request reads it), and a
# bearer token with its client (every userinfo request).
_client_named = sql.Select(lambda client_id: Client.objects.filter(client_id=client_id)[:1])
_client_by_pk = sql.Select(lambda pk: Client.objects.filter(pk=pk)[:1])
_access_token_with = sql.Select(lambda checksum: AccessToken.objects.filter(token_checksum=checksum)[:1])


class Validator(OAuth2Validator):
    # Claims come from claims.user_claims, which knows the scopes.
    oidc_claim_scope = None

    def _load_application(self, client_id, request):
        """The toolkit's, with the usual case read by ``_client_named``: a client already on the request
        is kept; an unknown client_id or a client registered by metadata document goes the toolkit's way."""
        known = request.client
        if not (isinstance(known, Client) and known.client_id == client_id and known.is_usable(request)):
            if not isinstance(client_id, str) or not client_id:
                return super()._load_application(client_id, request)
            if "\x00" in client_id:  # no client_id has one, and PostgreSQL refuses to compare it (500)
                request.client = None
                return None
            known = _client_named.first(client_id)
            if known is None or known.registration_source == Client.RegistrationSource.CIMD:
                return super()._load_application(client_id, request)
            if not known.is_usable(request):
                request.client = None
                return None
        request.client = known
        return known

    def _load_access_token(self, token):
        """The toolkit's (the token by its checksum, with its client and account), in statements written
        once where the toolkit's queryset joined three tables anew at every call."""
        access = _access_token_with.first(codes.digest(token))
        if access is not None:
            client = _client_by_pk.first(access.application_id) if access.application_id is not None else None
            user = account_rows.by_id(access.user_id) if access.user_id is not None else None
            AccessToken._meta.get_field("application").set_cached_value(access, client)
            AccessToken._meta.get_field("user").set_cached_value(access, user)
        return access

    # ----------------------------------------------------------- client authentication

    @staticmethod
    def _param(request, name: str):
        try:
            return getattr(request, name)
        except AttributeError:
            return None

    def client_authentication_required(self, request, *args, **kwargs):
        if self._param(request, "client_assertion") or self._param(request, "client_assertion_type"):
            return True
        return super().client_authentication_required(request, *args, **kwargs)

    def _audiences(self, request) -> list[str]:
        path = (request.uri or "").split("?", 1)[0]
        return [settings.BASE_URL, settings.BASE_URL + "/", settings.BASE_URL + reverse("oidc:token"),
                settings.BASE_URL + path if path.startswith("/") else path]

    def authenticate_client(self, request, *args, **kwargs):
        ip = _ip(request)
        if ratelimit.exceeded(failure_limit(), ip):
            log.warning("client authentication refused for %s: too many failures", ip)
            return False
        ok = self._authenticate(request)
        if not ok:
            ratelimit.hit(failure_limit(), ip)
        return ok

    def _authenticate(self, request) -> bool:
        assertion = self._param(request, "client_assertion")
        assertion_type = self._param(request, "client_assertion_type")
        if assertion or assertion_type:
            if assertion_type != clientauth.ASSERTION_TYPE or not assertion:
                return False
            try:
                client_id = clientauth.client_id_of(assertion)
                if request.client_id and request.client_id != client_id:
                    raise clientauth.AssertionRejected("client_id does not match the assertion")
                client = self._load_application(client_id, request)
                if client is None:
                    raise clientauth.AssertionRejected("unknown client")
                clientauth.verify(assertion, client, self._audiences(request))
            except clientauth.AssertionRejected as exc:
                log.info("client assertion refused: %s", exc)
                request.client = None
                return False
            request.client_id = client_id
            return True
        if self._extract_basic_auth(request):
            ok, used = self._authenticate_basic_auth(request), AuthMethod.CLIENT_SECRET_BASIC
        else:
            ok, used = self._authenticate_request_body(request), AuthMethod.CLIENT_SECRET_POST
        if ok and request.client.token_endpoint_auth_method != used:
            log.info("client %s used %s but is registered for %s", request.client.client_id, used,
                     request.client.token_endpoint_auth_method)
            return False
        return ok

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        client = self._load_application(client_id, request)
        return client is not None and client.token_endpoint_auth_method == AuthMethod.NONE

    # ----------------------------------------------------------- what is allowed

    def is_pkce_required(self, client_id, request):
        return pkce.required(request.client or self._load_application(client_id, request))

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        if response_type != "code":
            raise errors.UnsupportedResponseTypeError(request=request)
        return client.allows_grant_type(client.GRANT_AUTHORIZATION_CODE)

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        if grant_type not in ("authorization_code", "refresh_token"):
            return False
        return client.allows_grant_type(client.GRANT_AUTHORIZATION_CODE)

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        """``access`` (the validated details, limen.access) only for clients that require validation."""
        if "access" in scopes and (client is None or not access_gate.requires_validation(access_link.ref(client))):
            return False
        return super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)

    # prompt=none is decided by the authorization view, which knows the SSO session.
    def validate_silent_login(self, request):
        return True

    def validate_silent_authorization(self, request):
        return True

    def validate_bearer_token(self, token, scopes, request):
        ok = super().validate_bearer_token(token, scopes, request)
        if ok and request.user is not None and not request.user.is_active:
            request.oauth2_error = {"error": "invalid_token", "error_description": "The account is disabled."}
            return False
        if ok and request.client is not None and not request.client.active:
            request.oauth2_error = {"error": "invalid_token", "error_description": "The application is disabled."}
            return False
        return ok

    # ----------------------------------------------------------- authorization codes

    def _create_authorization_code(self, request, code, expires=None):
        return codes.store(request, code, expires)

    # The toolkit reads the same Grant row once per check (code, redirect URI, PKCE challenge and
    # method, nonce, scopes); one token request reads it once here.
    def _grant(self, code, request):
        """The Grant of ``code`` (for the authenticated client, once there is one)."""
        cache = request.__dict__.setdefault("_limen_grants", {})
        client = request.client
        key = (code, getattr(client, "pk", None))
        if key not in cache:
            earlier = cache.get((code, None))  # read before the client was authenticated
            if client is not None and earlier is not None and earlier.application_id == client.pk:
                cache[key] = earlier
            else:
                grants = Grant.objects.select_related("user").filter(code=code)
                cache[key] = (grants.filter(application=client) if client is not None else grants).first()
        return cache[key]

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args, **kwargs):
        grant = self._grant(code, request)
        if grant is None or not grant.redirect_uri_allowed(redirect_uri):
            # RFC 6749 §5.2 calls this invalid_grant (oauthlib would say invalid_request).
            raise errors.InvalidGrantError(description="redirect_uri does not match the authorization request.")
        return True

    def get_code_challenge(self, code, request):
        grant = self._grant(code, request)
        return (grant.code_challenge or None) if grant else None

    def get_code_challenge_method(self, code, request):
        grant = self._grant(code, request)
        return (grant.code_challenge_method or None) if grant else None

    def get_authorization_code_nonce(self, client_id, code, redirect_uri, request):
        grant = self._grant(code, request)
        return (grant.nonce or None) if grant else None

    def get_authorization_code_scopes(self, client_id, code, redirect_uri, request):
        grant = self._grant(code, request)
        return grant.scope.split() if grant and grant.scope else []

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        grant = self._grant(code, request)
        authz = Authorization.objects.filter(code_digest=codes.digest(code), client=client).first()
        if grant is None or grant.is_expired():
            if authz is not None and authz.consumed is not None:
                services.code_reused(authz, ip=_ip(request))
            return False
        if authz is None or not grant.user.is_active:
            return False
        try:
            pkce.check_redemption(challenge=grant.code_challenge or None, verifier=request.code_verifier)
        except pkce.VerifierWithoutChallenge as error:
            raise errors.InvalidGrantError(description=str(error.message), request=request) from None
        request.scopes = grant.scope.split(" ")
        request.user = grant.user
        if grant.nonce:
            request.nonce = grant.nonce
        if grant.claims:
            request.claims = json.loads(grant.claims)
        request.limen_authz = authz
        return True

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        try:
            super().invalidate_authorization_code(client_id, code, request, *args, **kwargs)
        except errors.InvalidGrantError:
            # Another request used the same code at the same moment: both lose their tokens.
            authz = getattr(request, "limen_authz", None)
            if authz is not None:
                services.code_reused(authz, ip=_ip(request))
            raise

    def _save_bearer_token(self, token, request, *args, **kwargs):
        super()._save_bearer_token(token, request, *args, **kwargs)
        authz = getattr(request, "limen_authz", None)
        if request.grant_type != "authorization_code" or authz is None:
            return
        now = clock.now()
        Authorization.objects.filter(pk=authz.pk, consumed__isnull=True).update(consumed=now)
        created = getattr(request, "limen_refresh_token", None)
        family = created.token_family if created is not None else None
        TokenIssue.objects.create(authorization=authz, token_family=family,
                                  access_token_checksum=codes.digest(token["access_token"]), created=now)

    def _create_access_token(self, expires, request, token, source_refresh_token=None):
        # The ID token row was just created (finalize_id_token): no need to verify and look it up again.
        id_token = getattr(request, "id_token", None) if token.get("id_token") else None
        if id_token is None and token.get("id_token"):
            return super()._create_access_token(expires, request, token, source_refresh_token)
        access_token = AccessToken(user=request.user, scope=token["scope"], expires=expires, id_token=id_token,
                                   application=request.client, source_refresh_token=source_refresh_token,
                                   resource=getattr(request, "resource", []))
        self._set_token_value(access_token, token["access_token"])
        access_token.save()
        return access_token

    def _create_refresh_token(self, request, refresh_token_code, access_token, previous_refresh_token):
        created = super()._create_refresh_token(request, refresh_token_code, access_token, previous_refresh_token)
        request.limen_refresh_token = created
        return created

    # ----------------------------------------------------------- refresh

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        ok = super().validate_refresh_token(refresh_token, client, request, *args, **kwargs)
        if not ok:
            return False
        if not request.user.is_active:
            return False
        family = request.refresh_token_instance.token_family
        issue = TokenIssue.objects.filter(token_family=family).select_related("authorization").first()
        request.limen_authz = issue.authorization if issue else None
        return True

    # ----------------------------------------------------------- ID token and claims

    def get_userinfo_claims(self, request):
        authz = services.authorization_of(request.access_token)
        requested = claims_mod.requested_claims(authz.requested_claims if authz else None, "userinfo")
        data = {"sub": str(request.user.uid)}
        data.update(claims_mod.user_claims(request.user, list(request.scopes or []), requested))
        data.update(claims_mod.access_claims(request.user, request.client, list(request.scopes or [])))
        return data

    def get_discovery_claims(self, request):
        return claims_mod.ALL_CLAIMS

    def get_oidc_issuer_endpoint(self, request):
        return settings.BASE_URL

    def get_id_token_dictionary(self, token, token_handler, request):
        user = request.user
        data = {"sub": str(user.uid)}
        data.update(claims_mod.user_claims(user, list(request.scopes or []),
                                           claims_mod.requested_claims(request.claims, "id_token")))
        data.update(claims_mod.access_claims(user, request.client, list(request.scopes or [])))
        expires = clock.now() + dt.timedelta(seconds=settings.OIDC_ID_TOKEN_SECONDS)
        authz = getattr(request, "limen_authz", None)
        if authz is not None:
            data.update(auth_time=int(authz.auth_time.timestamp()), acr=authz.acr, amr=authz.amr, sid=authz.sid)
        data.update(iss=settings.BASE_URL, exp=int(expires.timestamp()), jti=str(uuid.uuid4()))
        if request.client_id:
            data["azp"] = request.client_id
        return data, expires

    def finalize_id_token(self, id_token, token, token_handler, request):
        data, expires = self.get_id_token_dictionary(token, token_handler, request)
        id_token.update(data)
        if "nonce" not in id_token and request.nonce:
            id_token["nonce"] = request.nonce
        signed = keys.sign(id_token, request.client.id_token_alg)
        with transaction.atomic(using=router.db_for_write(IDToken)):
            request.id_token = self._save_id_token(id_token["jti"], request, expires)
        return signed

    def _get_key_for_token(self, token):
        """The published public key (jwcrypto JWK) that signed one of our ID tokens, by kid."""
        try:
            header, _claims = jose.peek(token)
        except jose.JoseError:
            return None
        for key in keys.verification_keys():
            if key.kid == header.get("kid"):
                return key.jwk
        return None

    # ----------------------------------------------------------- introspection (RFC 7662)

    def introspect_token(self, token, token_type_hint, request, *args, **kwargs):
        client = request.client
        if client is None or client.is_public:
            return None
        return services.introspect(token, token_type_hint, client)
