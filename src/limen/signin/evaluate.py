"""Is this browser's sign-in good enough for what an application requires? One answer for every protocol.

A protocol turns its parameters into a ``Requirement`` and calls ``evaluate``
with the URL to come back to; the outcome says what to do next:

- ``Proceed``: the SSO session suffices; ``fresh`` says the person proved who they are
  for this very request (CAS renew and isFromNewLogin, OIDC prompt=login and max_age);
- ``SignIn`` / ``StepUp``: send the person to the sign-in or step-up pages (a transaction
  carrying the requirement is started for them);
- ``Confirm``: the person asked to be asked before an application learns who they are;
- ``Refused``: a passive request (CAS gateway, OIDC prompt=none) that would need a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.http import urlencode

from limen.core import clock

from . import levels, sessions, store
from .transaction import Requirement


@dataclass(frozen=True)
class Proceed:
    fresh: bool
    strengths: list[str] = field(default_factory=list)
    auth_time: float = 0.0


@dataclass(frozen=True)
class SignIn:
    url: str


@dataclass(frozen=True)
class StepUp:
    url: str


@dataclass(frozen=True)
class Confirm:
    pass


@dataclass(frozen=True)
class Refused:
    reason: str  # "login_required" or "interaction_required" (the OpenID Connect names)


Outcome = Proceed | SignIn | StepUp | Confirm | Refused


def sign_in_url(next_url: str, *, again_as: str = "", hint: str = "") -> str:
    params = {"next": next_url}
    if again_as:  # present the credentials again: the identifier page, even though signed in
        params["switch"] = "1"
    email = hint if "@" in hint and len(hint) <= 254 else again_as
    if email:
        params["email"] = email
    return reverse("signin:identify") + "?" + urlencode(params)


def step_up_url(next_url: str, *, level: int | None = None, strengths: tuple[str, ...] | list[str] = ()) -> str:
    params = {"next": next_url}
    if level is not None:
        params["level"] = levels.LEVEL_NAMES[level]
    if strengths:
        params["strengths"] = ",".join(strengths)
    return reverse("signin:step_up") + "?" + urlencode(params)


def _too_old(requirement: Requirement, auth_time: float) -> bool:
    return requirement.max_age is not None and clock.now().timestamp() - auth_time > requirement.max_age


def evaluate(request, requirement: Requirement, *, return_to: str, confirmed: bool = False) -> Outcome:
    session = sessions.current(request)
    if session is None:
        if requirement.passive:
            return Refused("login_required")
        store.start(request, next_url=return_to, requirement=requirement)
        return SignIn(sign_in_url(return_to, hint=requirement.login_hint))

    fresh = store.take_fresh(request, return_to) is not None
    auth_time = float(session.get("auth_time", 0))
    if not fresh and (requirement.force or _too_old(requirement, auth_time)):
        if requirement.passive:
            return Refused("login_required")
        store.start(request, next_url=return_to, requirement=requirement)
        return SignIn(sign_in_url(return_to, again_as=request.user.email, hint=requirement.login_hint))

    strengths = list(session.get("strengths") or [])
    if not levels.satisfies(strengths, level=requirement.level, accept_strengths=requirement.accept_strengths):
        if requirement.passive:
            return Refused("interaction_required")
        store.start(request, next_url=return_to, requirement=requirement, user=request.user, step_up=True)
        return StepUp(step_up_url(return_to, level=requirement.level, strengths=requirement.accept_strengths))

    if request.user.warn_before_sso and not fresh and not confirmed:
        return Confirm()
    return Proceed(fresh=fresh, strengths=strengths, auth_time=auth_time)
