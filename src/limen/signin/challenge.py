"""The one challenge view: every method's sign-in page goes through here.

The method says what to show (``begin``) and checks what came back
(``verify``); this view finds the transaction, refuses pages out of order,
puts domain errors on their form field with their status, saves the
method's state, and hands a proof to ``complete``.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from limen.core import clock
from limen.core.errors import LimenError, show_on
from limen.core.redirects import leave

from . import flow, store
from .attempts import Attempt, Challenge, Redirect
from .complete import complete
from .errors import TransactionError
from .methods import registry
from .proofs import Proof
from .views import refused


def page_context(request, tx) -> dict:
    """What every challenge page shows around the method's part."""
    if tx.step_up:
        back = reverse("signin:step_up") + "?" + urlencode({"next": tx.next_url})
    else:
        back = reverse("signin:password") + "?" + urlencode({"next": tx.next_url})
    return {"signing_in_as": tx.email, "other_methods_url": back, "step_up": tx.step_up, "tx": tx,
            "application": tx.application_name}


def _render(request, attempt: Attempt, challenge: Challenge, method):
    context = {**page_context(request, attempt.transaction), **challenge.context, "form": challenge.form,
               "method": method, "script": challenge.script or method.script}
    return render(request, challenge.template, context, status=challenge.status)


@require_http_methods(["GET", "POST"])
def challenge(request, method_key: str, step: str = ""):
    method = registry.get(method_key)
    if method is None or (step and step not in method.descriptor.steps):
        raise Http404()
    try:
        tx, user = flow.pending(request, method.key)
    except TransactionError as error:
        return refused(request, error)
    attempt = Attempt(request=request, transaction=tx, user=user, step=step)
    try:
        result = method.begin(attempt) if request.method == "GET" else method.verify(attempt, request.POST)
        if isinstance(result, Proof):
            return complete(request, tx, result, user=user)
    except TransactionError as error:
        return refused(request, error)
    except LimenError as error:
        if attempt.fallback is None:  # nothing to show the error on: a page that says what went wrong
            return render(request, "signin/refused.html", {"error": error}, status=error.status)
        result = attempt.fallback() if callable(attempt.fallback) else attempt.fallback
        result.status = show_on(result.form, error, default_field=attempt.error_field) \
            if result.form is not None else error.status
        if result.form is None:
            result.context = {**result.context, "error": error.message}
    tx.since = clock.now().timestamp()  # the person is still here: the method's wait starts again
    store.save(tx)
    if isinstance(result, Redirect):
        return leave(request, result.url, destination=result.leaving_for) if result.leaving_for \
            else redirect(result.url)
    return _render(request, attempt, result, method)
