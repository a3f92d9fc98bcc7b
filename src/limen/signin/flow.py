"""The sign-in state machine shared by the password page, the second factors and step-up.

State lives in the session under FLOW_KEY:
  {"email"}                                   after the identifier step
  {"email", "user_id", "method", "next", "stage": "second_factor", "since", "step_up"}
                                              after the password (or on step-up)
A second factor's view asks ``pending_user`` who is signing in and calls
``second_factor_passed`` when the person has proved it.
"""

from __future__ import annotations

import time

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from limen.accounts.models import User
from limen.core.languages import set_language_cookie
from limen.factors.base import registry

from . import levels, sessions
from .errors import SigninError

FLOW_KEY = "limen.signin"
PENDING_SECONDS = 300


class SecondFactorRequired(SigninError):
    code = "second_factor_required"
    default_message = _("Your account requires a second factor: choose a verification method other than password only.")


class MethodNotAvailable(SigninError):
    code = "method_not_available"
    default_message = _("This verification method is not set up for your account. Choose another one.")


class NoPendingSignin(SigninError):
    code = "no_pending_signin"
    default_message = _("Your sign-in took too long or was interrupted. Please start again.")


def state(request) -> dict:
    return request.session.get(FLOW_KEY) or {}


def begin(request, email: str) -> None:
    request.session[FLOW_KEY] = {"email": email}


def clear(request) -> None:
    request.session.pop(FLOW_KEY, None)


def methods_for(user: User | None) -> list:
    # For an address without an account a stand-in that no row belongs to runs the same
    # queries, so the password page takes as long as for an account without second factors.
    return registry.available_for(user if user is not None else User(pk=-1, is_active=False))


def _as(user: User, url: str):
    """A redirect for a person who has proved who they are: from now on, pages in their interface language."""
    response = redirect(url)
    if user.interface_language:
        set_language_cookie(response, user.interface_language)
    return response


def password_passed(request, user: User, method: str, next_url: str):
    """The password was right: finish, or send the person to the chosen second factor."""
    if not method or method == "password":
        if user.require_second_factor and registry.has_second_factor(user):
            raise SecondFactorRequired()
        clear(request)
        sessions.start(request, user, strengths=[levels.PASSWORD], level=levels.level_of([levels.PASSWORD]))
        return _as(user, next_url)
    factor = registry.get(method)
    if factor is None or not factor.available_for(user):
        raise MethodNotAvailable()
    request.session[FLOW_KEY] = {
        "email": user.email, "user_id": user.pk, "method": factor.key, "next": next_url,
        "stage": "second_factor", "since": time.time(), "step_up": False,
    }
    return _as(user, factor.challenge_url())


def start_step_up(request, factor_key: str, next_url: str):
    """A signed-in person proves a second factor without typing the password again."""
    factor = registry.get(factor_key)
    if factor is None or not factor.available_for(request.user):
        raise MethodNotAvailable()
    request.session[FLOW_KEY] = {
        "email": request.user.email, "user_id": request.user.pk, "method": factor.key, "next": next_url,
        "stage": "second_factor", "since": time.time(), "step_up": True,
    }
    return redirect(factor.challenge_url())


def pending_user(request, method: str | None = None) -> User:
    """Who is between password and second factor; raises NoPendingSignin otherwise."""
    data = state(request)
    if data.get("stage") != "second_factor" or time.time() - data.get("since", 0) > PENDING_SECONDS:
        raise NoPendingSignin()
    if method is not None and data.get("method") != method:
        raise NoPendingSignin()
    if data.get("step_up") and (not request.user.is_authenticated or request.user.pk != data.get("user_id")):
        raise NoPendingSignin()
    user = User.objects.filter(pk=data.get("user_id"), is_active=True).first()
    if user is None:
        raise NoPendingSignin()
    return user


def second_factor_passed(request, strength: str):
    """The second factor is proved: start (or upgrade) the SSO session and go on."""
    data = state(request)
    user = pending_user(request)
    next_url = data.get("next") or reverse("accounts:my_account")
    clear(request)
    if data.get("step_up"):
        current = (sessions.current(request) or {}).get("strengths", [])
        strengths = sorted(set(current) | {strength})
        sessions.upgrade(request, strengths=strengths, level=levels.level_of(strengths))
    else:
        sessions.start(request, user, strengths=[strength], level=levels.level_of([strength]))
    return _as(user, next_url)


def step_up_url(next_url: str, *, level: int | None = None, strengths: list[str] | None = None) -> str:
    params = {"next": next_url}
    if level is not None:
        params["level"] = levels.LEVEL_NAMES[level]
    if strengths:
        params["strengths"] = ",".join(strengths)
    return reverse("signin:step_up") + "?" + urlencode(params)


def ensure(request, next_url: str, *, level: int | None = None, accept_strengths: list[str] | None = None,
           renew: bool = False):
    """For protocol endpoints: None if the SSO session suffices, else a redirect that fixes it."""
    if not request.user.is_authenticated:
        return redirect(reverse("signin:identify") + "?" + urlencode({"next": next_url}))
    if renew:  # present the credentials again: the identifier page, even though signed in
        return redirect(reverse("signin:identify") + "?" + urlencode(
            {"next": next_url, "switch": "1", "email": request.user.email}))
    current = (sessions.current(request) or {}).get("strengths", [])
    if levels.satisfies(current, level=level, accept_strengths=accept_strengths):
        return None
    return redirect(step_up_url(next_url, level=level, strengths=accept_strengths))


def passwordless_passed(request, user: User, strength: str, next_url: str):
    """A method that replaces the password (a passkey) proved who this is: start the SSO session."""
    clear(request)
    sessions.start(request, user, strengths=[strength], level=levels.level_of([strength]))
    return _as(user, next_url)
