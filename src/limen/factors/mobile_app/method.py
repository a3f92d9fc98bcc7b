"""The two sign-in methods of the mobile authenticator: PIN push, and the offline QR one-time password.

What the phone shows about a request (which application) comes from the
sign-in transaction, never from the protocol's parameters.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from limen.core import sql
from limen.signin import store
from limen.signin.attempts import Attempt, Challenge, Proof, Redirect
from limen.signin.methods import Descriptor, Method
from limen.signin.models import Level

from .errors import MobileError
from .forms import ChooseDeviceForm, OtpForm
from .internal import ocra, qr
from .models import DeviceStatus, MobileDevice, OtpChallenge, PushChallenge
from .services import challenges, devices, otp

PIN_KEY, QR_KEY = "mobile_app_pin", "mobile_app_qr"


# Asked on every identifier step for both methods below (and by On Mobile): the ORM builds it once.
has_active_device = sql.Exists(lambda user_id: MobileDevice.objects.filter(user=user_id, status=DeviceStatus.ACTIVE))


class _MobileMethod(Method):
    def available_for(self, user) -> bool:
        """Listed while the account has an active device; a locked one still counts (see docs/mobile-app.md)."""
        if user is None or not getattr(user, "pk", None):
            return False
        return has_active_device(user.pk)

    def manage_url(self) -> str:
        return reverse("mobile_app:devices")

    def manage_label(self):
        return gettext_lazy("Manage my mobile devices")

    def enrolled_count(self, user) -> int:
        return MobileDevice.objects.filter(user=user, status=DeviceStatus.ACTIVE).count()

    def remove_all(self, user) -> int:
        return devices.remove_all(user)


def application_name(attempt: Attempt) -> str:
    return (attempt.transaction.application_name or settings.SITE_NAME)[:200]


def current_push(attempt: Attempt) -> PushChallenge | None:
    public_id = attempt.transaction.state.get(PIN_KEY, {}).get("push")
    if not public_id:
        return None
    return PushChallenge.objects.select_related("device").filter(public_id=public_id, user=attempt.user).first()


class MobileAppPin(_MobileMethod):
    descriptor = Descriptor(
        key=PIN_KEY, strength="PASSWORD_MOBILE_APP", level=Level.MEDIUM, amr=("pwd", "swk", "pin"),
        label=gettext_lazy("Mobile app PIN code"),
        description=gettext_lazy("Approve the sign-in in the mobile app on your phone or tablet, with your PIN code."),
        order=10, path="mobile/",
    )
    template = "mobile_app/push.html"

    def _send(self, attempt: Attempt, device, previous: PushChallenge | None) -> PushChallenge:
        challenge = challenges.create(user=attempt.user, device=device, application=application_name(attempt),
                                      request=attempt.request, replaces=previous.public_id if previous else None)
        attempt.state["push"] = challenge.public_id
        return challenge

    def _page(self, attempt: Attempt, challenge, usable, *, choose_form=None, error=None, status=200):
        state = challenges.browser_state(challenge)
        if state == "expired":
            challenges.note_expired(challenge, attempt.state)
        if state == "denied":
            store.abandon(attempt.transaction)  # a denial ends this sign-in attempt
            return Challenge("mobile_app/push_denied.html", status=403)
        return Challenge(self.template, {
            "challenge": challenge if state in {"pending", "approved", "expired"} else None,
            "state": state, "devices": usable, "locked_only": not usable,
            "choose_form": choose_form or ChooseDeviceForm(devices=usable), "error": error,
            "seconds": settings.MOBILE_CHALLENGE_TTL,
        }, status=status)

    def begin(self, attempt: Attempt) -> Challenge:
        challenge = current_push(attempt)
        usable = list(devices.usable(attempt.user))
        error, status = None, 200
        if challenges.browser_state(challenge) in {"none", "used", "cancelled"} and len(usable) == 1:
            try:
                challenge = self._send(attempt, usable[0], challenge)
            except MobileError as failure:
                error, status = str(failure.message), failure.status
        return self._page(attempt, challenge, usable, error=error, status=status)

    def verify(self, attempt: Attempt, data):
        challenge = current_push(attempt)
        usable = list(devices.usable(attempt.user))
        action = data.get("action", "")
        if action == "continue":
            state = challenges.browser_state(challenge)
            if state == "approved" and challenges.consume(challenge):
                return Proof(method=self.key, strength=self.strength)
            if state == "pending":
                return self._page(attempt, challenge, usable, status=409,
                                  error=_("The request has not been approved in the app yet."))
            return self._page(attempt, challenge, usable)
        if action != "send":
            return self._page(attempt, challenge, usable, status=400)
        choose_form = ChooseDeviceForm(data, devices=usable) if len(usable) > 1 else None
        if choose_form is not None:
            chosen = choose_form.cleaned_data["device"] if choose_form.is_valid() else None
            device = next((d for d in usable if d.public_id == chosen), None)
        else:
            device = usable[0] if usable else None
        if device is None:
            return self._page(attempt, challenge, usable, choose_form=choose_form, status=400 if usable else 200)
        try:
            self._send(attempt, device, challenge)
        except MobileError as failure:
            return self._page(attempt, challenge, usable, choose_form=choose_form, error=str(failure.message),
                              status=failure.status)
        return Redirect(self.challenge_url())


class MobileAppQr(_MobileMethod):
    descriptor = Descriptor(
        key=QR_KEY, strength="PASSWORD_SOFTWARE_TOKEN", level=Level.MEDIUM, amr=("pwd", "otp", "pin"),
        label=gettext_lazy("Mobile app QR code"),
        description=gettext_lazy("Scan a QR code with the mobile app and type the one-time password it shows. "
                                 "Works offline."),
        order=20, path="mobile/qr/",
    )
    template = "mobile_app/qr.html"

    def enrolled_count(self, user) -> int:
        return 0  # the same devices as "Mobile app PIN code", counted there (My Account, PANIC)

    def remove_all(self, user) -> int:
        return 0  # removed with "Mobile app PIN code"

    def _current(self, attempt: Attempt) -> OtpChallenge | None:
        public_id = attempt.state.get("otp")
        if not public_id:
            return None
        return OtpChallenge.objects.select_related("user").filter(public_id=public_id, user=attempt.user).first()

    def _page(self, attempt: Attempt, form, *, notice=None, status=200, previous_expired=False) -> Challenge:
        """The page with a usable QR code: the current one, or a new one if it expired or burnt."""
        challenge = self._current(attempt)
        if not otp.usable(challenge, attempt.user):
            if challenge is not None and previous_expired:
                notice = _("The previous QR code has expired: scan this new one.")
            challenge = otp.create(attempt.user)
            attempt.state["otp"] = challenge.public_id
        return Challenge(self.template, {
            "qr_uri": qr.svg_data_uri(otp.qr_payload(challenge), scale=5), "notice": notice,
            "digits": ocra.response_length(), "has_usable": devices.usable(attempt.user).exists(),
            "minutes": max(1, settings.MOBILE_OTP_TTL // 60),
        }, form=form, status=status)

    def begin(self, attempt: Attempt) -> Challenge:
        return self._page(attempt, OtpForm(), previous_expired=True)

    def verify(self, attempt: Attempt, data):
        form = OtpForm(data)
        challenge = self._current(attempt)
        # Shown after a failure: the QR code is replaced if the failure used it up.
        attempt.showing(lambda: self._page(attempt, form), field="code")
        if challenge is None:
            return self._page(attempt, form, status=400,
                              notice=_("This QR code has expired. Scan the new QR code below."))
        if not form.is_valid():
            return self._page(attempt, form, status=400)
        otp.verify(challenge=challenge, user=attempt.user, response=form.cleaned_data["code"],
                   request=attempt.request)
        return Proof(method=self.key, strength=self.strength)
