"""The browser's side of "On Mobile": start from the identifier page, wait for the app's answer."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from limen.core import clock, ratelimit
from limen.core.net import client_ip, safe_next
from limen.factors.mobile_app import channel
from limen.signin import flow, store
from limen.signin.errors import TransactionError
from limen.signin.methods import registry

from . import services
from .method import KEY
from .models import OnMobileRequest

STATUS_WAIT_MAX = 20


def start_limit() -> ratelimit.Limit:
    return ratelimit.Limit("on-mobile-start-ip", settings.RATE_LIMIT_FORMS_PER_IP, settings.RATE_LIMIT_WINDOW_SECONDS)


@require_POST
def start(request):
    """The button of the identifier page: the e-mail address of the app's account, no password. Begins this
    method in the browser's transaction for ``next`` and shows its challenge page."""
    next_url = safe_next(request, request.POST.get("next"), reverse("accounts:my_account"))
    email = (request.POST.get("email") or "").strip()[:254]
    method = registry.get(KEY)
    user = get_user_model().objects.find_by_email(email) if email else None
    if ratelimit.hit(start_limit(), client_ip(request)) > start_limit().limit or user is None \
            or not user.is_active or not method.available_for(user):
        messages.error(request, _("The app on this device cannot sign you in to this account: it may have been "
                                  "removed from the account. Sign in with your password, or add the app again."))
        return redirect(reverse("signin:identify") + "?" + urlencode({"next": next_url}))
    tx = store.peek(request)
    if tx is None or tx.step_up or not store.same_place(tx.next_url, next_url):
        tx = store.start(request, next_url=next_url)
    tx.email, tx.user_id, tx.proofs = user.email, user.pk, []
    tx.method, tx.since, tx.state = KEY, clock.now().timestamp(), {}
    store.save(tx)
    return redirect(method.challenge_url())


@require_GET
def status(request):
    """Long poll of the challenge page: answers when the app has answered (or the request expired)."""
    try:
        tx, user = flow.pending(request, KEY)
    except TransactionError:
        return _no_store(JsonResponse({"state": "none"}))
    public_id = tx.state.get(KEY, {}).get("request")
    item = OnMobileRequest.objects.filter(public_id=public_id, user=user).first() if public_id else None
    if item is None:
        return _no_store(JsonResponse({"state": "none"}))
    known = request.GET.get("known", "")[:16]
    raw = request.GET.get("wait", "0")
    wait = min(int(raw), STATUS_WAIT_MAX) if raw.isascii() and raw.isdigit() and len(raw) < 4 else 0

    def changed():
        item.refresh_from_db()
        state = services.browser_state(item)
        return state if state != known else None

    state = channel.wait_until(changed, [services.key(item)], wait)
    return _no_store(JsonResponse({"state": state or known}))


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response
