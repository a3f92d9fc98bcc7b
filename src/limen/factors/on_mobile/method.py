"""The "On Mobile" method: passwordless, MOBILE_APP at MEDIUM, through the generic challenge view.

The identifier page's part (``identify_template``) appears only in a browser
that holds the web app with an account of this server (the page asks the
app's storage, which it shares); its button starts the sign-in
(views.start), and the challenge page below hands the request to the app
and waits for the answer.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from limen.factors.mobile_app.errors import MobileError
from limen.factors.mobile_app.method import has_active_device
from limen.signin import store
from limen.signin.attempts import Attempt, Challenge, Proof, Redirect
from limen.signin.methods import Descriptor, Method
from limen.signin.models import Level

from . import services
from .models import OnMobileRequest

KEY = "on_mobile"


class OnMobile(Method):
    descriptor = Descriptor(
        key=KEY, strength="MOBILE_APP", level=Level.MEDIUM, amr=("swk", "pin"), multi_factor=True,
        label=gettext_lazy("Use the app on this device"),
        description=gettext_lazy("Approve in the app on this phone or tablet with your PIN code or fingerprint. "
                                 "No password needed."),
        order=15, second_factor=False, passwordless=True, needs=(), path="on-mobile/",
    )
    template = "on_mobile/challenge.html"
    script = "on_mobile/handover.js"
    identify_template = "on_mobile/identify.html"

    def available_for(self, user) -> bool:
        return bool(user and getattr(user, "pk", None)) and has_active_device(user.pk)

    def enrolled_count(self, user) -> int:
        return 0  # the devices of "Mobile app PIN code", counted there (My Account, PANIC)

    def identify_context(self, request, next_url: str):
        return {"start_url": reverse("on_mobile:start"), "server": settings.BASE_URL}

    def _current(self, attempt: Attempt) -> OnMobileRequest | None:
        public_id = attempt.state.get("request")
        return OnMobileRequest.objects.filter(public_id=public_id, user=attempt.user).first() if public_id else None

    def _page(self, attempt: Attempt, item, *, error=None, status=200) -> Challenge:
        state = services.browser_state(item)
        if state == "denied":
            store.abandon(attempt.transaction)  # a denial ends this sign-in attempt
            return Challenge("mobile_app/push_denied.html", status=403)
        return Challenge(self.template, {
            "item": item if state in {"pending", "approved"} else None, "state": state, "error": error,
            "handover": attempt.state.get("handover", ""), "app_url": settings.BASE_URL + "/app/",
            "seconds": settings.MOBILE_CHALLENGE_TTL,
        }, status=status)

    def _new(self, attempt: Attempt) -> OnMobileRequest:
        item, secret = services.create(user=attempt.user, application=(attempt.transaction.application_name
                                                                       or settings.SITE_NAME),
                                       request=attempt.request)
        attempt.state.update({"request": item.public_id, "handover": secret})
        return item

    def begin(self, attempt: Attempt) -> Challenge:
        item = self._current(attempt)
        if services.browser_state(item) in {"none", "used", "expired"}:
            try:
                item = self._new(attempt)
            except MobileError as failure:
                return self._page(attempt, item, error=str(failure.message), status=failure.status)
        return self._page(attempt, item)

    def verify(self, attempt: Attempt, data):
        item = self._current(attempt)
        action = data.get("action", "")
        if action == "continue":
            state = services.browser_state(item)
            if state == "approved" and services.consume(item):
                return Proof(method=self.key, strength=self.strength)
            if state == "pending":
                return self._page(attempt, item, status=409,
                                  error=_("The request has not been approved in the app yet."))
            return self._page(attempt, item)
        if action == "new":
            try:
                self._new(attempt)
            except MobileError as failure:
                return self._page(attempt, item, error=str(failure.message), status=failure.status)
            return Redirect(self.challenge_url())
        return self._page(attempt, item, status=400)
