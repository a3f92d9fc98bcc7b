"""Security keys, trusted platforms and passkeys as sign-in methods.

``WebAuthnMethod``: a security key or the device's own sign-in after the
password (PASSWORD_WEBAUTHN). ``PasskeyMethod``: the same credentials on the
identifier page, without a password; its ceremony runs beside the form
(views.passkey_options / views.passkey_signin), so it has no challenge page.
"""

from __future__ import annotations

import base64
import json

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from limen.core import clock, sql
from limen.signin.attempts import Attempt, Challenge, Proof
from limen.signin.methods import Descriptor, Method
from limen.signin.models import Level

from . import services
from .errors import CeremonyExpired
from .forms import ResponseForm

STRENGTH = "PASSWORD_WEBAUTHN"
AMR = ("pwd", "hwk")


# Asked on every identifier step: the ORM builds it once.
_has_credential = sql.Exists(lambda user_id: services.credentials_of(user_id))


class WebAuthnMethod(Method):
    descriptor = Descriptor(
        key=services.METHOD, strength=STRENGTH, level=Level.MEDIUM, amr=AMR,
        label=_("Security Key or Trusted Platform"),
        description=_("Use a security key (such as a YubiKey) or your computer's own sign-in (such as Windows "
                      "Hello or Touch ID)."),
        order=30, path="security-key/",
    )
    template = "factors/webauthn/challenge.html"

    def available_for(self, user) -> bool:
        return user is not None and _has_credential(user.pk)

    def manage_url(self) -> str:
        return reverse("factors_webauthn:manage")

    def manage_label(self):
        return _("Manage my security keys and trusted platforms")

    def enrolled_count(self, user) -> int:
        return services.credentials_of(user).count()

    def remove_all(self, user) -> int:
        return services.remove_all(user)

    def _page(self, attempt: Attempt, data=None) -> Challenge:
        """The page with a new ceremony, whose challenge waits in the transaction for the answer."""
        options, challenge = services.authentication_options(attempt.user)
        attempt.state["ceremony"] = {"challenge": base64.b64encode(challenge).decode(),
                                     "at": clock.now().timestamp()}
        return Challenge(self.template, {"options": json.loads(options)}, form=ResponseForm(data),
                         status=400 if data is not None else 200)

    @staticmethod
    def _usable(ceremony: dict | None) -> bool:
        return bool(ceremony) and clock.now().timestamp() - ceremony["at"] <= settings.WEBAUTHN_TIMEOUT_SECONDS + 60

    def begin(self, attempt: Attempt) -> Challenge:
        return self._page(attempt)

    def verify(self, attempt: Attempt, data):
        ceremony = attempt.state.pop("ceremony", None)  # the page's challenge: used once
        page = attempt.showing(self._page(attempt, data))  # a new ceremony, shown if this answer fails
        if not page.form.is_valid() or not self._usable(ceremony):
            raise CeremonyExpired()
        services.verify_second_factor(attempt.user, response=page.form.cleaned_data["response"],
                                      challenge=base64.b64decode(ceremony["challenge"]), request=attempt.request)
        return Proof(method=self.key, strength=self.strength)


class PasskeyMethod(Method):
    descriptor = Descriptor(
        key="passkey", strength=STRENGTH, level=Level.MEDIUM, amr=AMR, label=_("Passkey"),
        order=75, second_factor=False, passwordless=True, needs=(),
    )
    identify_template = "factors/webauthn/passkey_signin.html"

    def available_for(self, user) -> bool:
        return user is not None and _has_credential(user.pk)

    def enrolled_count(self, user) -> int:
        return 0  # the same credentials as the security keys, counted there (My Account, PANIC)
