"""Manage my security keys and trusted platforms; sign in with a passkey (the second-factor page is method.WebAuthnMethod)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from limen.core import ratelimit
from limen.core.errors import LimenError, show_on
from limen.core.net import client_ip, safe_next
from limen.factors import guards
from limen.signin import flow
from limen.signin.attempts import Proof

from . import services, state
from .errors import CeremonyExpired
from .forms import AddForm, RenameForm, ResponseForm
from .method import PasskeyMethod
from .models import Kind, WebAuthnCredential

PENDING_KEY = "limen.webauthn.adding"


@login_required
def manage(request):
    return render(request, "factors/webauthn/manage.html",
                  {"credentials": services.credentials_of(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
@guards.enrolment_required(back_to="factors_webauthn:add")
def add(request):
    """Step 1: what it is and what to call it."""
    form = AddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session[PENDING_KEY] = {"name": form.cleaned_data["name"].strip(), "kind": form.cleaned_data["kind"]}
        return redirect("factors_webauthn:register")
    return render(request, "factors/webauthn/add.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@guards.enrolment_required(back_to="factors_webauthn:add")
def register(request):
    """Step 2: the browser talks to the authenticator; the page posts its answer."""
    adding = request.session.get(PENDING_KEY)
    if not adding:
        return redirect("factors_webauthn:add")
    form = ResponseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        ceremony = state.take(request, "register")
        if form.is_valid():
            try:
                if ceremony is None or ceremony.get("user") != request.user.pk:
                    raise CeremonyExpired()
                credential = services.register(
                    request.user, response=form.cleaned_data["response"], challenge=ceremony["challenge"],
                    name=adding["name"], kind=adding["kind"], request=request,
                )
            except LimenError as error:
                status = show_on(form, error)
            else:
                request.session.pop(PENDING_KEY, None)
                messages.success(request, _("“%(name)s” is registered. You can now use it to sign in.")
                                 % {"name": credential.name})
                return redirect("factors_webauthn:manage")
    options, challenge = services.registration_options(request.user, kind=adding["kind"])
    state.remember(request, "register", challenge, user=request.user.pk)
    return render(request, "factors/webauthn/register.html", {
        "form": form, "options": json.loads(options), "name": adding["name"],
        "platform": adding["kind"] == Kind.PLATFORM,
    }, status=status)


def _own(request, pk: int) -> WebAuthnCredential:
    return get_object_or_404(WebAuthnCredential, pk=pk, user=request.user)


@login_required
@require_http_methods(["GET", "POST"])
@guards.enrolment_required()
def rename(request, pk: int):
    credential = _own(request, pk)
    form = RenameForm(request.POST or None, initial={"name": credential.name})
    if request.method == "POST" and form.is_valid():
        services.rename(request.user, credential.pk, form.cleaned_data["name"].strip(), request=request)
        messages.success(request, _("The name has been changed."))
        return redirect("factors_webauthn:manage")
    return render(request, "factors/webauthn/rename.html", {"form": form, "credential": credential},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@guards.enrolment_required()
def remove(request, pk: int):
    credential = _own(request, pk)
    if request.method == "POST":
        services.remove(request.user, credential.pk, request=request)
        messages.success(request, _("“%(name)s” has been removed.") % {"name": credential.name})
        return redirect("factors_webauthn:manage")
    return render(request, "factors/webauthn/remove.html", {"credential": credential})


# -- passkey: no password ------------------------------------------------------------

def _options_limit() -> ratelimit.Limit:
    # Browsers with passkey autofill ask on every visit of the sign-in page: room for a whole office behind one IP.
    return ratelimit.Limit("passkey-options-ip", settings.RATE_LIMIT_FORMS_PER_IP * 10,
                           settings.RATE_LIMIT_WINDOW_SECONDS)


@require_POST
def passkey_options(request):
    """Options for a passkey sign-in (the button, or the browser's autofill); JSON for the page's script."""
    ip = client_ip(request)
    if ratelimit.exceeded(_options_limit(), ip):
        return JsonResponse({"error": _("Too many attempts from your network. Wait a few minutes and try again.")},
                            status=429)
    ratelimit.hit(_options_limit(), ip)
    options, challenge_bytes = services.authentication_options(None)
    response = JsonResponse(json.loads(options))
    state.remember_detached(response, "passkey", challenge_bytes)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def passkey_signin(request):
    next_url = safe_next(request, request.POST.get("next"), reverse("accounts:my_account"))
    form = ResponseForm(request.POST)
    ceremony = state.take_detached(request, "passkey")
    proof = Proof(method=PasskeyMethod.descriptor.key, strength=PasskeyMethod.descriptor.strength)
    try:
        if not form.is_valid() or ceremony is None:
            raise CeremonyExpired()
        credential = services.verify_passkey(response=form.cleaned_data["response"],
                                             challenge=ceremony["challenge"], request=request)
        return flow.passwordless(request, credential.user, proof, next_url)
    except LimenError as error:
        messages.error(request, str(error.message))
        target = reverse("signin:identify")
        if next_url != reverse("accounts:my_account"):
            target += "?" + urlencode({"next": next_url})
        return redirect(target)
