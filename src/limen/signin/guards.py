"""Pages of a signed-in person that need more than being signed in, through the one evaluator."""

from __future__ import annotations

from django.shortcuts import redirect

from .evaluate import Proceed, evaluate
from .methods import registry
from .models import Level
from .transaction import Requirement


def signed_in(request, next_url: str):
    """None if the person is signed in, else the redirect to the sign-in pages."""
    outcome = evaluate(request, Requirement(), return_to=next_url, confirmed=True)
    return None if isinstance(outcome, Proceed) else redirect(outcome.url)


def second_factor_proved(request, next_url: str):
    """None if this session proved a second factor, or the account has none to prove; else the
    redirect that makes it so (sign in, or step up). A stolen password alone must not be enough
    to change what protects the account."""
    if not request.user.is_authenticated:
        return signed_in(request, next_url)
    if not registry.has_second_factor(request.user):
        return None
    outcome = evaluate(request, Requirement(level=Level.MEDIUM), return_to=next_url, confirmed=True)
    return None if isinstance(outcome, Proceed) else redirect(outcome.url)
