"""Identifier-first sign-in: e-mail, Next, then password, Sign in."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from limen.audit.events import Event
from limen.audit.service import record
from limen.core.errors import RateLimited
from limen.core.net import client_ip, safe_next

from limen.accounts.models import User

from . import flow, services, sessions
from .errors import SigninError
from .forms import IdentifyForm, PasswordForm, StepUpForm


def _next(request) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), reverse("accounts:my_account"))


def _with_next(url: str, next_url: str) -> str:
    default = reverse("accounts:my_account")
    return url if next_url == default else f"{url}?{urlencode({'next': next_url})}"


@require_http_methods(["GET", "POST"])
def identify(request):
    next_url = _next(request)
    if request.user.is_authenticated and request.method == "GET" and not request.GET.get("switch"):
        return redirect(next_url)  # SSO: already signed in
    if request.method == "POST":
        form = IdentifyForm(request.POST)
        if form.is_valid():
            flow.begin(request, form.cleaned_data["email"].strip())
            return redirect(_with_next(reverse("signin:password"), next_url))
    else:
        form = IdentifyForm(initial={"email": request.GET.get("email", "")[:254]})
    return render(request, "signin/identify.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def password(request):
    next_url = _next(request)
    email = flow.state(request).get("email")
    if not email:
        return redirect(_with_next(reverse("signin:identify"), next_url))
    # EU Login shows the methods an account can use; unknown addresses see only the password.
    methods = flow.methods_for(User.objects.find_by_email(email))
    form = PasswordForm(request.POST or None, methods=methods)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.check_password(email=email, password=form.cleaned_data["password"],
                                           ip=client_ip(request), request=request)
            response = flow.password_passed(request, user, form.cleaned_data.get("method", ""), next_url)
        except SigninError as error:
            form.add_error("method" if error.code in {"second_factor_required", "method_not_available"}
                           else "password", str(error.message))
            status = 400
        except RateLimited as error:
            form.add_error(None, str(error.message))
            status = 429
        else:
            return response
    elif request.method == "POST":
        status = 400
    return render(request, "signin/password.html", {"form": form, "email": email, "next": next_url},
                  status=status)


@require_http_methods(["GET", "POST"])
def step_up(request):
    """An application needs more than this session has: prove a second factor, no password."""
    next_url = _next(request)
    if not request.user.is_authenticated:
        return redirect(_with_next(reverse("signin:identify"), next_url))
    methods = flow.methods_for(request.user)
    form = StepUpForm(request.POST or None, methods=methods)
    if request.method == "POST" and form.is_valid():
        try:
            return flow.start_step_up(request, form.cleaned_data["method"], next_url)
        except SigninError as error:
            form.add_error("method", str(error.message))
    return render(request, "signin/step_up.html", {
        "form": form, "next": next_url, "methods": methods,
        "level": request.GET.get("level", "")[:16],
    }, status=200 if methods else 403)


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
