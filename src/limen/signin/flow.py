"""The steps of the sign-in pages around a transaction: identifier, password, the choice of a method.

Who is signing in and what they proved so far lives in the transaction
(limen.signin.store), never in loose session keys; this module moves it
from one page to the next and hands the last proof to ``complete``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect

from limen.core import clock
from limen.core.languages import language_at_sign_in, set_language_cookie

from . import store
from .complete import complete, person
from .errors import MethodNotAvailable, MethodNotBegun, NoTransaction, TransactionExpired
from .methods import Method, registry
from .proofs import Proof
from .transaction import Transaction

PASSWORD = "password"


def identified(request, email: str, next_url: str | None, current: Transaction | None) -> Transaction:
    """The identifier step: the browser's current transaction ``current`` (``store.peek``, which the
    page has read already) if it is for the same place, or a new one."""
    tx = current
    if tx is None or tx.step_up or (next_url is not None and not store.same_place(tx.next_url, next_url)):
        tx = store.start(request, next_url=next_url or "")
    tx.email = email
    tx.user_id, tx.method, tx.proofs, tx.state = None, None, [], {}
    # Looked up once here, with the save this step makes anyway, rather than on the password page's
    # GET and again on its POST (seven statements each). Choosing one re-checks it (``choose``).
    tx.offered = [method.key for method in methods_for_email(email)]
    store.save(tx)
    return tx


def methods_for_email(email: str) -> list[Method]:
    """EU Login shows the methods an account can use; unknown addresses see only the password.

    For an address without an account a stand-in that no row belongs to runs the same queries,
    so the password page takes as long as for an account without second factors."""
    User = get_user_model()
    user = User.objects.find_by_email(email) if email else None
    return registry.available_for(user if user is not None else User(pk=-1, is_active=False))


def offered_methods(tx: Transaction) -> list[Method]:
    """The methods the password page offers: those found at the identifier step (``identified``)."""
    if tx.offered is None:  # a transaction identified before this was kept in it
        return methods_for_email(tx.email)
    return [method for method in map(registry.get, tx.offered) if method is not None]


def in_their_language(request, response, user):
    """From now on, the pages in the person's interface language (unless they chose one just now)."""
    language = language_at_sign_in(request, user)
    if language:
        set_language_cookie(response, language)
    return response


def password_passed(request, tx: Transaction, user, method_key: str):
    """The password was right: finish, or go on to the chosen method."""
    tx.user_id = user.pk
    if not method_key or method_key == PASSWORD:
        return complete(request, tx, Proof(method=PASSWORD, strength="PASSWORD"), user=user)
    tx.proofs.append(Proof(method=PASSWORD, strength="PASSWORD"))
    return in_their_language(request, choose(request, tx, user, method_key), user)


def choose(request, tx: Transaction, user, method_key: str):
    """Begin a method for the person in ``tx`` (after the password, or to step up)."""
    method = registry.get(method_key)
    if method is None or not method.descriptor.second_factor or not method.available_for(user):
        raise MethodNotAvailable()
    tx.method, tx.since, tx.state = method.key, clock.now().timestamp(), {}
    store.save(tx)
    return redirect(method.challenge_url())


def pending(request, method_key: str) -> tuple[Transaction, object]:
    """(transaction, person) of a challenge page of ``method_key``; raises a TransactionError."""
    tx = store.from_request(request)
    if tx.method != method_key:
        raise MethodNotBegun()
    if store.method_idle(tx):
        raise TransactionExpired()
    user = person(tx)
    if user is None or (tx.step_up and (not request.user.is_authenticated or request.user.pk != user.pk)):
        raise NoTransaction()
    return tx, user


def restart(request, error):
    """Back to the first sign-in page, saying why (the message shows there)."""
    messages.error(request, str(error.message))
    return redirect("signin:identify")


def passwordless(request, user, proof: Proof, next_url: str):
    """A passwordless method (passkey, eID) proved who this is: complete this browser's transaction
    for ``next_url`` (the one a protocol started, with its application), or a new one."""
    tx = store.peek(request)
    if tx is None or tx.step_up or not store.same_place(tx.next_url, next_url):
        tx = store.start(request, next_url=next_url)
    tx.email = user.email
    return complete(request, tx, proof, user=user)
