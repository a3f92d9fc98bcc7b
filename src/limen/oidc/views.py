"""OpenID Connect endpoints. oauthlib (through django-oauth-toolkit) does the protocol;
these views add Limen's sign-in, step-up, keys and sign-out around it."""

from __future__ import annotations

import functools
import json
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from oauth2_provider.exceptions import FatalClientError, OAuthToolkitError
from oauth2_provider.oauth2_backends import _add_iss_to_redirect, get_oauthlib_core
from oauth2_provider import views as dot
from oauth2_provider.views.mixins import OAuthLibMixin

from limen.access import gate as access_gate
from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock, metrics
from limen.core.channels import backchannel
from limen.core.redirects import leave
from limen.core.languages import set_language_cookie
from limen.signin import levels, sessions
from limen.signin.evaluate import Confirm, Refused, SignIn, StepUp, evaluate
from limen.signin.transaction import Application, Requirement

from . import access_link, challenges, codes, keys, logout
from . import claims as claims_mod
from .errors import fatal_message
from .internal import jose
from .models import AuthMethod, Client
from .token import Fallback
from .token import endpoint as token_path

CONFIRMED_KEY = "limen.oidc.confirmed"
CONFIRM_SECONDS = 300
REFUSALS = {
    "login_required": "The person is not signed in, or the sign-in is older than max_age.",
    "interaction_required": "A stronger sign-in is needed.",
}


def _url(name: str) -> str:
    return settings.BASE_URL + reverse(name)


def _json(data: dict, *, cache_seconds: int = 0) -> JsonResponse:
    response = JsonResponse(data)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={cache_seconds}" if cache_seconds else "no-store"
    return response


@backchannel
def discovery(request):
    """OpenID Provider Metadata (also served as OAuth 2.0 Authorization Server Metadata)."""
    response = HttpResponse(_metadata_json(settings.BASE_URL, tuple(settings.OAUTH2_PROVIDER["SCOPES"]),
                                           tuple(code for code, _name in settings.LANGUAGES)),
                            content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@functools.lru_cache(maxsize=4)
def _metadata_json(base_url: str, scopes: tuple, languages: tuple) -> bytes:
    """Encoded once per process (and per value of the settings it reads: each URL is a reverse()); bytes,
    so that no caller can change what the next one gets."""
    return json.dumps(_metadata(base_url, scopes, languages)).encode()


def _metadata(base_url: str, scopes: tuple, languages: tuple) -> dict:
    jwt_algs = jose.HMAC_ALGS + jose.RSA_ALGS + jose.EC_ALGS
    auth_methods = [m.value for m in AuthMethod]
    return {
        "issuer": base_url,
        "authorization_endpoint": base_url + reverse("oidc:authorize"),
        "token_endpoint": base_url + reverse("oidc:token"),
        "userinfo_endpoint": base_url + reverse("oidc:userinfo"),
        "jwks_uri": base_url + reverse("oidc:jwks"),
        "end_session_endpoint": base_url + reverse("oidc:logout"),
        "revocation_endpoint": base_url + reverse("oidc:revoke"),
        "introspection_endpoint": base_url + reverse("oidc:introspect"),
        "scopes_supported": list(scopes),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": keys.ALGORITHMS,
        "token_endpoint_auth_methods_supported": auth_methods,
        "token_endpoint_auth_signing_alg_values_supported": jwt_algs,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_signing_alg_values_supported": jwt_algs,
        "introspection_endpoint_auth_methods_supported": [m for m in auth_methods if m != "none"],
        "introspection_endpoint_auth_signing_alg_values_supported": jwt_algs,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": claims_mod.ALL_CLAIMS,
        "claim_types_supported": ["normal"],
        "claims_parameter_supported": True,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "acr_values_supported": claims_mod.ACR_VALUES,
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "ui_locales_supported": list(languages),
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "frontchannel_logout_supported": False,
        "authorization_response_iss_parameter_supported": True,
    }


@backchannel
def jwks(request):
    return _json({"keys": keys.published()}, cache_seconds=300)


def _error_page(request, key: str, status: int = 400):
    return render(request, "oidc/error.html", {"message": fatal_message(key), "code": key}, status=status)


def _with_params(url: str, params: dict) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


@method_decorator(csrf_exempt, name="dispatch")
class AuthorizeView(OAuthLibMixin, View):
    """The authorization endpoint: validate, make sure the person is signed in strongly enough, issue a code."""

    def post(self, request):
        # Form-encoded authentication requests continue as GET, so sign-in pages can return here.
        params = [(k, v) for k, values in request.POST.lists() for v in values[-1:]]
        return redirect(request.path + "?" + urlencode(params))

    def _redirect_error(self, request, client, redirect_uri: str, state: str | None, error: str,
                        description: str):
        url = _with_params(redirect_uri, {"error": error, "error_description": description, "state": state})
        return leave(request, _add_iss_to_redirect(url, settings.BASE_URL), destination=client.name)

    def _toolkit_error(self, request, error: OAuthToolkitError):
        oauthlib_error = error.oauthlib_error
        redirect_uri = oauthlib_error.redirect_uri
        if not isinstance(error, FatalClientError) and not redirect_uri:
            # Some checks (e.g. a malformed claims parameter) raise without the request; they run
            # after client and redirect URI were validated, which is checked again here.
            client = Client.objects.filter(client_id=request.GET.get("client_id", ""), active=True).first()
            candidate = request.GET.get("redirect_uri", "")
            if client is not None and client.redirect_uri_allowed(candidate):
                redirect_uri = candidate
                oauthlib_error.state = request.GET.get("state")
        if isinstance(error, FatalClientError) or not redirect_uri:
            return _error_page(request, type(oauthlib_error).__name__)
        url = _with_params(redirect_uri, dict(oauthlib_error.twotuples))
        return leave(request, _add_iss_to_redirect(url, settings.BASE_URL))

    def get(self, request):
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self._toolkit_error(request, error)
        client = credentials["request"].client  # the one the validation loaded: active, and the one named
        redirect_uri, state = credentials["redirect_uri"], credentials.get("state")

        def fail(error: str, description: str):
            return self._redirect_error(request, client, redirect_uri, state, error, description)

        params = request.GET
        if "openid" not in scopes:
            return fail("invalid_scope", "The openid scope is required.")
        if "request" in params:
            return fail("request_not_supported", "Request objects are not supported.")
        if "request_uri" in params:
            return fail("request_uri_not_supported", "Request objects are not supported.")
        if params.get("response_mode", "query") != "query":
            return fail("invalid_request", "Only response_mode=query is supported.")
        max_age = params.get("max_age")
        if max_age is not None:
            if not max_age.isdigit():
                return fail("invalid_request", "max_age must be a whole number of seconds.")
            max_age = int(max_age)
        level, essential, unknown = claims_mod.requested_level(params.get("acr_values"), credentials.get("claims"))
        if unknown:
            return fail("unmet_authentication_requirements",
                        "The essential acr values are not offered; use " + ", ".join(claims_mod.ACR_VALUES) + ".")
        if level is not None and level > levels.max_level():  # HIGH: no sign-in method reaches it (yet)
            if essential:
                return fail("unmet_authentication_requirements", "No sign-in method reaches this level.")
            level = levels.max_level()  # acr_values is a wish: the best Limen offers
        prompt = set(params.get("prompt", "").split())
        silent = "none" in prompt
        requirement = Requirement(
            application=Application(name=client.name, identifier=client.client_id, protocol="oidc"),
            level=level, max_age=max_age, force=bool(prompt & {"login", "select_account"}), passive=silent,
            login_hint=params.get("login_hint", ""),
        )
        return_to = self._return_path(request, params)
        outcome = evaluate(request, requirement, return_to=return_to, confirmed=self._confirmed(request))
        if isinstance(outcome, Refused):
            return fail(outcome.reason, REFUSALS[outcome.reason])
        if isinstance(outcome, SignIn):
            return self._with_ui_locales(request, params, redirect(outcome.url))
        if isinstance(outcome, StepUp):
            return redirect(outcome.url)
        if isinstance(outcome, Confirm):
            if silent:
                return fail("interaction_required", "The person asked to confirm each sign-in to an application.")
            return render(request, "oidc/confirm.html", {"client": client, "next": request.get_full_path()})
        fresh = outcome.fresh
        # An application that requires validated access (limen.access) gets a code once it is active.
        first = access_gate.redirect_for(request, access_link.ref(client), return_to=return_to)
        if first is not None:
            if silent:
                return fail("interaction_required", "The person's access to this application must be validated first.")
            return redirect(first)

        credentials["limen_session"] = logout.session_info(request)
        try:
            uri = codes.issue(request, credentials, self.get_oauthlib_core().server.request_validator)
        except OAuthToolkitError as error:
            return self._toolkit_error(request, error)
        record(Event.OIDC_AUTHORIZED, user=request.user, request=request, client=client.client_id,
               acr=credentials["limen_session"]["acr"], sso=not fresh)
        return leave(request, uri, destination=client.name)

    @staticmethod
    def _return_path(request, params) -> str:
        """This request again, without ``prompt`` (once the person has signed in, it is answered)."""
        query = [(k, v) for k, v in params.items() if k != "prompt"]
        return request.path + "?" + urlencode(query)

    @staticmethod
    def _confirmed(request) -> bool:
        confirmed = request.session.pop(CONFIRMED_KEY, None) or {}
        return confirmed.get("path") == request.get_full_path() and \
            clock.now().timestamp() - confirmed.get("at", 0) < CONFIRM_SECONDS

    @staticmethod
    def _with_ui_locales(request, params, response):
        """The sign-in pages in the language the application asks for, unless the person chose one."""
        for code in params.get("ui_locales", "").split():
            code = code.split("-")[0].lower()
            if code in dict(settings.LANGUAGES) and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                set_language_cookie(response, code)
                break
        return response


@require_http_methods(["POST"])
def confirm_authorization(request):
    """The person who asked to be warned confirms that this application may learn who they are."""
    next_url = request.POST.get("next", "")
    if not next_url.startswith(reverse("oidc:authorize") + "?") or len(next_url) > 8000:
        return _error_page(request, "invalid_request")
    request.session[CONFIRMED_KEY] = {"path": next_url, "at": clock.now().timestamp()}
    return redirect(next_url)


@backchannel
class UserInfoView(dot.UserInfoView):
    def _create_userinfo_response(self, request):
        if not challenges.bearer_token_presented(request):
            return challenges.token_required()
        response = super()._create_userinfo_response(request)
        if response.content.startswith(b"{"):
            response["Content-Type"] = "application/json"
        response["Cache-Control"] = "no-store"
        return response


class TokenView(dot.TokenView):
    """The toolkit's token endpoint without its device-flow branch (Limen offers the code flow only), and
    without reading the new access token back to send a signal nobody here listens to."""

    def post(self, request, *args, **kwargs):
        _url, headers, body, status = self.create_token_response(request)
        response = HttpResponse(content=body, status=status)
        for name, value in headers.items():
            response[name] = value
        metrics.oidc_token(request.POST.get("grant_type", ""), token_outcome(status, body))
        return challenges.client_authentication(response)


def token_outcome(status: int, body) -> str:
    """``issued``, or the OAuth error code of the token endpoint's answer (RFC 6749 §5.2)."""
    if status == 200:
        return "issued"
    try:
        return str(json.loads(body).get("error", "server_error"))
    except (TypeError, ValueError, AttributeError):
        return "server_error"


_toolkit_token = TokenView.as_view()


@backchannel
@csrf_exempt
def token(request):
    """The token endpoint: code exchanges and refreshes that succeed take the lean path
    (limen.oidc.token); everything else, errors included, gets the toolkit's answer."""
    refused = token_path.refusal(request)
    if refused is not None:
        metrics.oidc_token(request.POST.get("grant_type", ""), "invalid_request")
        return refused
    try:
        response = token_path.answer(request)
    except Fallback:
        return _toolkit_token(request)  # counted by TokenView
    metrics.oidc_token(request.POST.get("grant_type", ""), "issued")
    return response


@backchannel
class RevokeTokenView(dot.RevokeTokenView):
    """Token revocation (RFC 7009), with the client authentication challenge of RFC 6749 §5.2."""

    def post(self, request, *args, **kwargs):
        return challenges.client_authentication(super().post(request, *args, **kwargs))


@backchannel
@csrf_exempt
@require_http_methods(["POST"])
def introspect(request):
    core = get_oauthlib_core()
    uri, http_method, body, headers = core._extract_params(request)
    headers, body, status = core.server.create_introspect_response(uri, http_method, body, headers)
    response = HttpResponse(body, status=status, content_type="application/json")
    for name, value in headers.items():
        response[name] = value
    return challenges.client_authentication(response)


def _logout_request(request, params):
    """Validate an RP-initiated logout request: (client, redirect or None, hint claims) or an error key."""
    hint = params.get("id_token_hint", "")
    client_id = params.get("client_id", "")
    redirect_uri = params.get("post_logout_redirect_uri", "")
    claims = None
    if hint:
        claims = logout.verify_id_token_hint(hint)
        if claims is None:
            return "invalid_id_token_hint"
    client = None
    audiences = []
    if claims is not None:
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else [a for a in aud or [] if isinstance(a, str)]
    if client_id:
        if claims is not None and client_id not in audiences:
            return "client_mismatch"
        client = Client.objects.filter(client_id=client_id, active=True).first()
        if client is None:
            return "unknown_client"
    elif audiences:
        client = Client.objects.filter(client_id__in=audiences, active=True).first()
    if redirect_uri and (client is None or not client.post_logout_redirect_uri_allowed(redirect_uri)):
        return "post_logout_redirect_uri"
    return client, redirect_uri or None, claims


def _sign_out(request, client, redirect_uri, state):
    if request.user.is_authenticated:
        user = request.user
        signed_out_of = sessions.end(request)
        record(Event.SIGNED_OUT, user=user, request=request, applications=signed_out_of,
               initiated_by=client.client_id if client else "")
        if not redirect_uri:
            request.session["limen.signed_out_of"] = signed_out_of
    if redirect_uri:
        return leave(request, _with_params(redirect_uri, {"state": state}), destination=client.name)
    return redirect("signin:signed_out")


LOGOUT_FIELDS = ("id_token_hint", "client_id", "post_logout_redirect_uri", "state", "ui_locales")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def end_session(request):
    """RP-initiated logout. With an ID token of this very session the person is signed out at
    once; otherwise they confirm on a page of ours (its form is CSRF-protected)."""
    params = request.POST if request.method == "POST" else request.GET
    checked = _logout_request(request, params)
    if isinstance(checked, str):
        return _error_page(request, checked)
    client, redirect_uri, claims = checked
    if request.user.is_authenticated:
        own = (claims is not None and claims.get("sub") == str(request.user.uid)
               and claims.get("sid") == logout.current_sid(request))
        if not own:
            return render(request, "oidc/logout_confirm.html", {
                "client": client, "params": {k: params.get(k, "")[:4000] for k in LOGOUT_FIELDS}})
    return _sign_out(request, client, redirect_uri, params.get("state") or None)


@require_http_methods(["POST"])
def confirm_end_session(request):
    checked = _logout_request(request, request.POST)
    if isinstance(checked, str):
        return _error_page(request, checked)
    client, redirect_uri, _claims = checked
    return _sign_out(request, client, redirect_uri, request.POST.get("state") or None)
