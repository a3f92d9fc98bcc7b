"""Thin views of the accounts area: forms in, services called, pages out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from limen.audit.service import recent_for
from limen.core.errors import show_on
from limen.core import languages
from limen.core.net import safe_next
from limen.signin import guards, sessions
from limen.signin.complete import sign_in_now
from limen.signin.methods import registry
from limen.signin.errors import SigninError
from limen.signin.proofs import Proof

from . import forms, policy, tiles, tokens
from .errors import AccountError, TokenExpired, TokenUsed, TooManyEmails
from .models import TokenPurpose
from .services import deletion, email_change, passwords, profile, registration, signed_in


def _rules_context():
    return {"password_rules": policy.help_texts(), "sample_passwords": policy.sample_passwords()}


@require_http_methods(["GET", "POST"])
def register(request):
    status = 200
    if request.method == "POST":
        form = forms.RegistrationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                registration.register(
                    first_name=data["first_name"].strip(), last_name=data["last_name"].strip(),
                    email=data["email"], email_language=data["email_language"], request=request,
                )
            except TooManyEmails as error:
                form.add_error(None, str(error.message))
                status = error.status
            else:
                request.session["limen.registered_email"] = data["email"]
                return redirect("accounts:registered")
    else:
        form = forms.RegistrationForm(initial={"email": request.GET.get("email", "")[:254],
                                               "email_language": request.LANGUAGE_CODE})
    return render(request, "accounts/register.html", {"form": form}, status=status)


def registered(request):
    return render(request, "accounts/registered.html", {"email": request.session.get("limen.registered_email", "")})


def privacy(request):
    return render(request, "accounts/privacy.html")


def _token_problem(request, error: AccountError, purpose: TokenPurpose, status: int = 400):
    resend = forms.EmailOnlyForm()
    return render(request, "accounts/token_problem.html",
                  {"error": error, "purpose": purpose.value, "resend_form": resend,
                   "expired_or_used": isinstance(error, (TokenExpired, TokenUsed))}, status=status)


@require_http_methods(["GET", "POST"])
def verify(request, token: str):
    try:
        entry = tokens.peek(token, TokenPurpose.VERIFY_EMAIL)
    except AccountError as error:
        return _token_problem(request, error, TokenPurpose.VERIFY_EMAIL)
    form = forms.PasswordPairForm(request.POST or None, user=entry.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = registration.verify_and_set_password(token=token, password=form.cleaned_data["new_password"],
                                                        request=request)
        except AccountError as error:
            return _token_problem(request, error, TokenPurpose.VERIFY_EMAIL)
        except ValidationError as error:
            form.add_error("new_password", error)
        else:
            messages.success(request, _("Your password is set and your account is ready."))
            return sign_in_now(request, user, Proof(method="password", strength="PASSWORD"))
    return render(request, "accounts/choose_password.html",
                  {"form": form, "account": entry.user, "title": _("Choose your password"), **_rules_context()})


@require_http_methods(["POST"])
def resend_verification(request):
    form = forms.EmailOnlyForm(request.POST)
    if form.is_valid():
        try:
            registration.resend_verification(email=form.cleaned_data["email"], request=request)
        except TooManyEmails as error:
            form.add_error(None, str(error.message))
            return render(request, "accounts/resend.html", {"form": form}, status=error.status)
        return render(request, "accounts/link_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/resend.html", {"form": form}, status=400)


@require_http_methods(["GET", "POST"])
def lost_password(request):
    status = 200
    if request.method == "POST":
        form = forms.EmailOnlyForm(request.POST)
        if form.is_valid():
            try:
                passwords.request_reset(email=form.cleaned_data["email"], request=request)
            except TooManyEmails as error:
                form.add_error(None, str(error.message))
                status = error.status
            else:
                return render(request, "accounts/link_sent.html",
                              {"email": form.cleaned_data["email"], "reset": True})
    else:
        form = forms.EmailOnlyForm(initial={"email": request.GET.get("email", "")[:254]})
    return render(request, "accounts/lost_password.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def reset_password(request, token: str):
    try:
        entry = tokens.peek(token, TokenPurpose.RESET_PASSWORD)
    except AccountError as error:
        return _token_problem(request, error, TokenPurpose.RESET_PASSWORD)
    form = forms.PasswordPairForm(request.POST or None, user=entry.user)
    if request.method == "POST" and form.is_valid():
        try:
            passwords.complete_reset(token=token, password=form.cleaned_data["new_password"], request=request)
        except AccountError as error:
            return _token_problem(request, error, TokenPurpose.RESET_PASSWORD)
        except ValidationError as error:
            form.add_error("new_password", error)
        else:
            if request.user.is_authenticated:
                sessions.end(request)
            messages.success(request, _("Your password has been changed. Sign in with the new password."))
            return redirect(reverse("signin:identify") + "?" + urlencode({"email": entry.user.email}))
    return render(request, "accounts/choose_password.html",
                  {"form": form, "account": entry.user, "title": _("Choose a new password"), **_rules_context()})


def _factor_tiles(user) -> list[dict]:
    tiles, seen = [], set()
    for factor in registry.all():
        url = factor.manage_url()
        if url and url not in seen:
            seen.add(url)
            tiles.append({"url": url, "label": factor.manage_label() or factor.label,
                          "description": factor.description, "count": factor.enrolled_count(user)})
    return tiles


@login_required
def my_account(request):
    return render(request, "accounts/my_account.html",
                  {"activity": recent_for(request.user, 5), "factor_tiles": _factor_tiles(request.user),
                   "area_tiles": tiles.for_user(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def edit_details(request):
    user = request.user
    initial = {f: getattr(user, f) for f in profile.PROFILE_FIELDS}
    form = forms.ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = profile.update_profile(user=user, request=request, **form.cleaned_data)
        messages.success(request, _("Your details have been saved."))
        response = redirect("accounts:my_account")
        if user.interface_language:
            languages.remember_choice(request, response, user.interface_language)
        elif "interface_language" in changed:  # back to "As my browser asks"
            languages.forget_choice(request, response)
        return response
    return render(request, "accounts/edit_details.html", {"form": form})


@require_http_methods(["POST"])
def set_language(request):
    """The switcher at the top of every page: this browser (and, signed in, the account) keeps the choice.

    An unknown language changes nothing: the page comes back as it was, with a message."""
    response = redirect(safe_next(request, request.POST.get("next"), reverse("home")))
    try:
        code = languages.interface_language(request.POST.get("language"))
    except languages.UnknownLanguage as error:
        messages.error(request, str(error.message))
        return response
    languages.remember_choice(request, response, code)
    if request.user.is_authenticated:
        profile.update_profile(user=request.user, request=request, interface_language=code)
    return response


def _locked_out(request, error):
    """Too many wrong current passwords: the account locked and its sessions ended."""
    if request.user.is_authenticated:
        sessions.end(request)
    messages.error(request, str(error.message))
    return redirect("signin:identify")


@login_required
@require_http_methods(["GET", "POST"])
def change_password(request):
    form = forms.ChangePasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            passwords.change_password(user=request.user, current=form.cleaned_data["current_password"],
                                      new=form.cleaned_data["new_password"], request=request)
        except SigninError as error:
            return _locked_out(request, error)
        except AccountError as error:
            show_on(form, error, default_field="current_password")
        except ValidationError as error:
            form.add_error("new_password", error)
        else:
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:my_account")
    return render(request, "accounts/change_password.html", {"form": form, **_rules_context()})


@login_required
@require_http_methods(["GET", "POST"])
def change_email(request):
    form = forms.ChangeEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            email_change.request_change(user=request.user, new_email=form.cleaned_data["new_email"],
                                        password=form.cleaned_data["password"], request=request)
        except SigninError as error:
            return _locked_out(request, error)
        except AccountError as error:
            show_on(form, error)
        else:
            return render(request, "accounts/link_sent.html",
                          {"email": form.cleaned_data["new_email"], "email_change": True})
    return render(request, "accounts/change_email.html", {"form": form})


@require_http_methods(["GET", "POST"])
def confirm_email(request, token: str):
    # GET only shows a button: mail scanners that open links must not use them.
    try:
        entry = tokens.peek(token, TokenPurpose.CHANGE_EMAIL)
    except AccountError as error:
        return _token_problem(request, error, TokenPurpose.CHANGE_EMAIL)
    if request.method == "POST":
        try:
            email_change.confirm_change(token=token, request=request)
        except AccountError as error:
            return _token_problem(request, error, TokenPurpose.CHANGE_EMAIL)
        messages.success(request, _("Your e-mail address has been changed."))
        return redirect("accounts:my_account" if request.user.is_authenticated else "signin:identify")
    return render(request, "accounts/confirm_email.html", {"new_email": entry.new_email})


@login_required
def activity(request):
    return render(request, "accounts/activity.html", {
        "activity": recent_for(request.user, 50),
        "sessions": sessions.active_for(request.user),
        "current_key": request.session.session_key,
    })


DELETED_KEY = "limen.account_deleted"  # what the page after the deletion shows, in the signed-out session


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    """GET explains and asks; only a POST with the confirmation, the password and (when the account has
    one) a second factor proved in this session deletes."""
    gate = guards.second_factor_proved(request, request.path)
    if gate is not None:
        return gate
    form = forms.DeleteAccountForm(request.POST if request.method == "POST" else None,
                                   needs_password=deletion.needs_password(request.user))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                deleted = deletion.delete_account(request=request, password=form.cleaned_data.get("password", ""))
            except SigninError as error:
                return _locked_out(request, error)
            except AccountError as error:
                status = show_on(form, error)
            else:
                request.session[DELETED_KEY] = {"email": deleted.email, "applications": deleted.applications}
                return redirect("accounts:deleted")
    return render(request, "accounts/delete_account.html",
                  {"form": form, "methods": deletion.methods_of(request.user)}, status=status)


def account_deleted(request):
    """After the deletion (the browser is signed out): what happened."""
    done = request.session.pop(DELETED_KEY, None)
    if not done:
        return redirect("home")
    return render(request, "accounts/deleted.html", done)


@login_required
@require_POST
def sign_out_others(request):
    count = signed_in.sign_out_others(request)
    if count:
        messages.success(request, ngettext(
            "You are signed out of %(count)d other session. The applications it used have been told.",
            "You are signed out of %(count)d other sessions. The applications they used have been told.",
            count) % {"count": count})
    else:
        messages.info(request, _("You were not signed in anywhere else."))
    return redirect("accounts:activity")


@login_required
@require_POST
def sign_out_session(request, session_id: int):
    try:
        signed_in.sign_out_one(request, session_id)
    except AccountError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("That session is signed out. The applications it used have been told."))
    return redirect("accounts:activity")


@login_required
@require_http_methods(["GET", "POST"])
def signin_preferences(request):
    user = request.user
    form = forms.SigninPreferencesForm(request.POST if request.method == "POST" else None, initial={"require_second_factor": user.require_second_factor})
    if request.method == "POST" and form.is_valid():
        if user.require_second_factor and not form.cleaned_data["require_second_factor"]:
            # Turning the protection off needs the protection: prove a second factor first.
            gate = guards.second_factor_proved(request, request.get_full_path())
            if gate is not None:
                return gate
        try:
            profile.update_signin_preferences(user=user, request=request,
                                              require_second_factor=form.cleaned_data["require_second_factor"])
        except profile.NoSecondFactor:
            form.add_error("require_second_factor",
                           _("Add a second verification method first, such as the mobile app; then turn this on."))
        else:
            messages.success(request, _("Your sign-in preferences have been saved."))
            return redirect("accounts:my_account")
    return render(request, "accounts/signin_preferences.html",
                  {"form": form, "has_second_factor": registry.has_second_factor(user)},
                  status=400 if form.errors else 200)

