"""The one way in: a transaction with a proof becomes an SSO session (new or stronger).

Password, every second factor, passkeys, eID, recovery codes, the first
sign-in after choosing a password, and the operators' own sign-in all end
here, so that the session key rotates, the strengths and level are recorded,
the audit trail hears of it and the interface language follows the person,
in one place.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.urls import reverse

from limen.audit.events import Event
from limen.audit.service import record
from limen.core.languages import language_at_sign_in, set_language_cookie

from . import login, sessions, store
from .errors import AccountDisabled, NoTransaction, SecondFactorRequired, TransactionCompleted
from .levels import level_of
from .methods import registry
from .proofs import Proof
from .transaction import Transaction


def person(tx: Transaction):
    """The active account the transaction is about, or None."""
    if tx.user_id is None:
        return None
    return get_user_model().objects.filter(pk=tx.user_id, is_active=True).first()


def strengths_after(request, tx: Transaction, proof: Proof) -> list[str]:
    if not tx.step_up:
        return [proof.strength]
    current = (sessions.current(request) or {}).get("strengths", [])
    return sorted(set(current) | {proof.strength})


def complete(request, tx: Transaction, proof: Proof, *, user=None):
    """Sign the person in (or step the session up) and send them on; raises a SigninError."""
    user = user or person(tx)
    if user is None:
        raise NoTransaction()
    if not user.is_active:
        raise AccountDisabled()
    if proof.strength == "PASSWORD" and not tx.step_up and user.require_second_factor \
            and registry.has_second_factor(user):
        raise SecondFactorRequired()
    if tx.step_up and (not request.user.is_authenticated or request.user.pk != user.pk):
        raise NoTransaction()
    tx.user_id = user.pk
    tx.proofs.append(proof)
    if not store.mark_completed(tx):
        raise TransactionCompleted()
    if user.is_locked:
        # Only a passwordless method gets here while password sign-in is paused (docs/factors.md):
        # a phishing-resistant credential, which guessing passwords must not lock the owner out of.
        record(Event.SIGNIN_WHILE_LOCKED, user=user, request=request, method=proof.method,
               locked_until=user.locked_until.isoformat())
    strengths = strengths_after(request, tx, proof)
    language = language_at_sign_in(request, user)  # before a new person's sign-in empties the session
    if tx.step_up:
        login.upgrade(request, strengths=strengths, level=level_of(strengths), method=proof.method)
    else:
        login.start(request, user, strengths=strengths, level=level_of(strengths), method=proof.method)
    store.forget(request)
    response = redirect(tx.next_url or reverse("accounts:my_account"))
    if language:
        set_language_cookie(response, language)
    return response


def sign_in_now(request, user, proof: Proof, *, next_url: str = ""):
    """Complete a sign-in that needs no pages of its own (a new account's first sign-in): a
    transaction is started and completed at once, so it goes the same way as every other."""
    tx = store.start(request, next_url=next_url or reverse("accounts:my_account"), user=user)
    return complete(request, tx, proof, user=user)
