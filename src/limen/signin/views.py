"""Identifier-first sign-in: e-mail, Next, then password (and a method), Sign in; step-up; sign-out."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from limen.audit.events import Event
from limen.audit.service import record
from limen.core.errors import LimenError, show_on
from limen.core.net import client_ip, safe_next

from . import flow, services, sessions, store
from .errors import NoTransaction, TransactionCompleted, TransactionError, TransactionForeign
from .forms import IdentifyForm, PasswordForm, StepUpForm
from .methods import registry


def _asked_next(request) -> str | None:
    """The ``next`` the request names, if it is a safe one; None if it names none."""
    raw = request.POST.get("next") or request.GET.get("next")
    return safe_next(request, raw, reverse("accounts:my_account")) if raw else None


def _next(request, tx=None) -> str:
    return _asked_next(request) or (tx.next_url if tx is not None and tx.next_url else "") \
        or reverse("accounts:my_account")


def _with_next(url: str, next_url: str) -> str:
    default = reverse("accounts:my_account")
    return url if next_url == default else f"{url}?{urlencode({'next': next_url})}"


def refused(request, error: TransactionError):
    """A transaction that cannot go on: a page that says why (replayed, another browser), or the
    first sign-in page with the reason (expired, interrupted)."""
    if isinstance(error, (TransactionCompleted, TransactionForeign)):
        return render(request, "signin/refused.html", {"error": error}, status=error.status)
    return flow.restart(request, error)


def _identify_parts(request, next_url: str) -> list[tuple[str, dict]]:
    """What each passwordless method adds to the identifier page (an eID button, passkey autofill): its
    template and context, rendered within the page's own render (``{% include_part %}``)."""
    parts = []
    for method in registry.passwordless():
        context = method.identify_context(request, next_url) if method.identify_template else None
        if context is not None:
            parts.append((method.identify_template, {**context, "next": next_url}))
    return parts


@require_http_methods(["GET", "POST"])
def identify(request):
    current = store.peek(request) if request.method == "POST" else None  # read once, used twice
    next_url = _next(request, current)
    if request.user.is_authenticated and request.method == "GET" and not request.GET.get("switch"):
        return redirect(next_url)  # SSO: already signed in
    if request.method == "POST":
        form = IdentifyForm(request.POST)
        if form.is_valid():
            tx = flow.identified(request, form.cleaned_data["email"].strip(), _asked_next(request), current)
            return redirect(_with_next(reverse("signin:password"), tx.next_url or next_url))
    else:
        form = IdentifyForm(initial={"email": request.GET.get("email", "")[:254]})
    return render(request, "signin/identify.html",
                  {"form": form, "next": next_url, "parts": _identify_parts(request, next_url)})


@require_http_methods(["GET", "POST"])
def password(request):
    try:
        tx = store.from_request(request)
    except TransactionError as error:
        if request.method == "POST" and isinstance(error, (TransactionCompleted, TransactionForeign)):
            return refused(request, error)
        if request.method == "POST" and not isinstance(error, NoTransaction):
            messages.error(request, str(error.message))  # it took too long: say so on the first page
        return redirect(_with_next(reverse("signin:identify"), _next(request)))
    if not tx.email:
        return redirect(_with_next(reverse("signin:identify"), _next(request, tx)))
    next_url = _next(request, tx)
    if tx.next_url != next_url:
        tx.next_url = next_url
    form = PasswordForm(request.POST or None, methods=flow.offered_methods(tx))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.check_password(email=tx.email, password=form.cleaned_data["password"],
                                           ip=client_ip(request), request=request)
            return flow.password_passed(request, tx, user, form.cleaned_data.get("method", ""))
        except TransactionError as error:
            return refused(request, error)
        except LimenError as error:
            status = show_on(form, error, default_field="password")
    elif request.method == "POST":
        status = 400
    return render(request, "signin/password.html", {"form": form, "email": tx.email, "next": next_url, "tx": tx},
                  status=status)


@require_http_methods(["GET", "POST"])
def step_up(request):
    """An application needs more than this session has: prove a second factor, no password."""
    next_url = _next(request)
    if not request.user.is_authenticated:
        return redirect(_with_next(reverse("signin:identify"), next_url))
    tx = store.peek(request)
    if tx is None or not tx.step_up or not store.same_place(tx.next_url, next_url) \
            or tx.user_id != request.user.pk:
        tx = store.start(request, next_url=next_url, user=request.user, step_up=True)
    methods = registry.available_for(request.user)
    form = StepUpForm(request.POST or None, methods=methods)
    status = 200 if methods else 403
    if request.method == "POST" and form.is_valid():
        try:
            return flow.choose(request, tx, request.user, form.cleaned_data["method"])
        except LimenError as error:
            status = show_on(form, error, default_field="method")
    return render(request, "signin/step_up.html", {
        "form": form, "next": next_url, "methods": methods, "tx": tx,
        "application": tx.application_name, "level": request.GET.get("level", "")[:16],
    }, status=status)


@require_http_methods(["GET", "POST"])
def signout(request):
    if request.method == "POST":
        if request.user.is_authenticated:
            user = request.user
            signed_out_of = sessions.end(request)
            record(Event.SIGNED_OUT, user=user, request=request, applications=signed_out_of)
            request.session["limen.signed_out_of"] = signed_out_of
        return redirect("signin:signed_out")
    if not request.user.is_authenticated:
        return redirect("signin:signed_out")
    return render(request, "signin/signout.html")


def signed_out(request):
    return render(request, "signin/signed_out.html",
                  {"applications": request.session.pop("limen.signed_out_of", [])})
