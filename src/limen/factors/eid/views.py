"""eID pages: sign in with eID, the provider's answer, Manage my eIDs, eID-only accounts, merging.
(Verifying with eID after the password is method.EidMethod's challenge page.)"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import ratelimit
from limen.core.net import client_ip, safe_next
from limen.core.redirects import leave
from limen.factors.guards import enrolment_gate
from limen.core.errors import LimenError
from limen.signin import flow
from limen.signin.attempts import Proof
from limen.signin.complete import complete

from . import flows, services
from .errors import EidError, FlowMissing, NoProvider
from .forms import EidAccountForm
from .method import KEY, EidMethod
from .models import EidLink, UpstreamProvider


def _next(request) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), reverse("accounts:my_account"))


def _problem(request, error, *, status: int = 400, restart: str | None = None):
    return render(request, "eid/problem.html", {"error": error, "restart": restart or reverse("signin:identify")},
                  status=status)


def _callback_limit() -> ratelimit.Limit:
    return ratelimit.Limit("eid-callback", settings.RATE_LIMIT_FORMS_PER_IP, settings.RATE_LIMIT_WINDOW_SECONDS)


def _go(request, provider: UpstreamProvider, **flow_args):
    try:
        url = flows.begin(request, provider, **flow_args)
    except EidError as error:
        return _problem(request, error, status=error.status)
    return leave(request, url, destination=provider.name)


def _choose(request, providers, url_name: str, next_url: str, heading: str):
    choices = [{"provider": p, "url": reverse(url_name, args=[p.slug]) + "?" + urlencode({"next": next_url})}
               for p in providers]
    return render(request, "eid/choose.html", {"choices": choices, "heading": heading})


@require_GET
def start_signin(request, slug: str | None = None):
    """Sign in with eID (no password): from the sign-in page."""
    next_url = _next(request)
    providers = list(UpstreamProvider.objects.filter(enabled=True))
    if slug is not None:
        providers = [p for p in providers if p.slug == slug]
    if not providers:
        return _problem(request, NoProvider(), status=404)
    if len(providers) > 1:
        return _choose(request, providers, "eid:signin_with", next_url, _("Choose your eID"))
    return _go(request, providers[0], purpose="signin", next_url=next_url)


@require_GET
def callback(request):
    """The upstream provider sends the person back here with a code (or an error)."""
    ip = client_ip(request)
    if ratelimit.exceeded(_callback_limit(), ip):
        return _problem(request, EidError(_("Too many attempts. Please wait a few minutes and try again.")),
                        status=429)
    ratelimit.hit(_callback_limit(), ip)
    try:
        data, provider, claims = flows.complete(request, request.GET)
    except EidError as error:
        record(Event.EID_SIGNIN_FAILED, user=request.user if request.user.is_authenticated else None,
               request=request, reason=error.code)
        return _problem(request, error)
    purpose = data["purpose"]
    try:
        if purpose == "signin":
            return _signed_in(request, provider, claims, data["next"])
        if purpose == "verify":
            tx, user = flow.pending(request, KEY)
            if user.pk != data["user"]:
                raise FlowMissing()
            services.verify_second_factor(request, user, claims)
            return complete(request, tx, Proof(method=KEY, strength=EidMethod.descriptor.strength), user=user)
        if purpose == "link":
            return _linked(request, provider, claims, data)
    except LimenError as error:
        return _problem(request, error, status=error.status)
    raise FlowMissing()


def _signed_in(request, provider, claims, next_url):
    link = services.find_link(claims)
    if link is None:
        services.remember_unlinked(request, provider, claims, next_url)
        return redirect("eid:unlinked")
    user = services.signing_in(request, link)
    proof = Proof(method=KEY, strength=EidMethod.descriptor.strength)
    return flow.passwordless(request, user, proof, next_url or reverse("accounts:my_account"))


def _linked(request, provider, claims, data):
    if not request.user.is_authenticated or request.user.pk != data["user"]:
        raise FlowMissing()
    existing = services.find_link(claims)
    if existing is not None and existing.user_id != request.user.pk and not existing.user.has_usable_password():
        services.propose_merge(request, existing, request.user)
        return redirect("eid:merge")
    try:
        services.link(request.user, provider, claims, request=request)
    except EidError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your eID at %(provider)s is linked. You can now sign in with it.")
                         % {"provider": provider.name})
    return redirect("eid:manage")


@require_http_methods(["GET", "POST"])
def unlinked(request):
    """An eID that no account uses yet: link it to an account, or create an eID-only account."""
    data = services.unlinked(request)
    if data is None:
        return _problem(request, FlowMissing())
    provider = UpstreamProvider.objects.filter(pk=data["provider"]).first()
    form = EidAccountForm(request.POST or None, initial={
        "first_name": data["given_name"], "last_name": data["family_name"], "email": data["email"],
        "email_language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        try:
            services.request_account(request, first_name=form.cleaned_data["first_name"].strip(),
                                     last_name=form.cleaned_data["last_name"].strip(),
                                     email=form.cleaned_data["email"],
                                     email_language=form.cleaned_data["email_language"])
        except EidError as error:
            return _problem(request, error)
        return render(request, "eid/account_requested.html", {"email": form.cleaned_data["email"]})
    signin_then_link = reverse("signin:identify") + "?" + urlencode({"next": reverse("eid:link_remembered")})
    return render(request, "eid/unlinked.html", {"form": form, "provider": provider,
                                                 "signin_then_link": signin_then_link},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def confirm_account(request, token: str):
    # GET only shows a button: mail scanners that open links must not use them.
    try:
        data = services.peek_account(token)
    except EidError as error:
        return _problem(request, error)
    if request.method == "POST":
        try:
            services.confirm_account(token, request=request)
        except EidError as error:
            return _problem(request, error)
        return render(request, "eid/account_ready.html", {"email": data["em"]})
    return render(request, "eid/confirm_account.html", {"email": data["em"], "first_name": data["fn"],
                                                        "last_name": data["ln"]})


@login_required
def manage(request):
    links = EidLink.objects.filter(user=request.user).select_related("provider")
    linked = {link.provider_id for link in links}
    providers = [p for p in UpstreamProvider.objects.filter(enabled=True) if p.pk not in linked]
    return render(request, "eid/manage.html", {"links": links, "providers": providers,
                                               "no_password": not request.user.has_usable_password()})


@login_required
@require_POST
def link_start(request, slug: str):
    gate = enrolment_gate(request, reverse("eid:manage"))
    if gate is not None:
        return gate
    provider = get_object_or_404(UpstreamProvider, slug=slug, enabled=True)
    return _go(request, provider, purpose="link", next_url=reverse("eid:manage"), user_id=request.user.pk)


@login_required
@require_http_methods(["GET", "POST"])
def link_remembered(request):
    """Signed in after an unlinked eID sign-in: link that eID to this account."""
    data = services.unlinked(request)
    if data is None:
        messages.error(request, FlowMissing.default_message)
        return redirect("eid:manage")
    provider = UpstreamProvider.objects.filter(pk=data["provider"]).first()
    if request.method == "POST":
        gate = enrolment_gate(request, reverse("eid:link_remembered"))
        if gate is not None:
            return gate
        existing = services.find_link({"iss": data["iss"], "sub": data["sub"]})
        if existing is not None and existing.user_id != request.user.pk and not existing.user.has_usable_password():
            services.propose_merge(request, existing, request.user)
            services.forget_unlinked(request)
            return redirect("eid:merge")
        try:
            services.link_remembered(request, request.user)
        except EidError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your eID at %(provider)s is linked. You can now sign in with it.")
                             % {"provider": provider.name})
        return redirect("eid:manage")
    return render(request, "eid/link_remembered.html", {"provider": provider})


@login_required
@require_POST
def unlink(request, pk: int):
    link = get_object_or_404(EidLink.objects.select_related("provider", "user"), pk=pk, user=request.user)
    gate = enrolment_gate(request, reverse("eid:manage"))
    if gate is not None:
        return gate
    try:
        services.unlink(link, request=request)
    except EidError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your eID at %(provider)s is unlinked.") % {"provider": link.provider.name})
    return redirect("eid:manage")


@login_required
@require_http_methods(["GET", "POST"])
def merge(request):
    source = services.merge_proposal(request, request.user)
    if source is None:
        messages.error(request, services.MergeNotPossible.default_message)
        return redirect("eid:manage")
    if request.method == "POST":
        if request.POST.get("decision") != "merge":
            request.session.pop(services.MERGE_KEY, None)
            return redirect("eid:manage")
        try:
            email = services.merge(request, request.user)
        except EidError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The eID-only account %(email)s is merged into this account.")
                             % {"email": email})
        return redirect("eid:manage")
    return render(request, "eid/merge.html", {"source": source})
