from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from limen.factors.base import Factor

from . import services


class WebAuthnFactor(Factor):
    """Security key or trusted platform as the second factor after the password.

    Passkey sign-in (no password) uses the same credentials from the sign-in
    page (views.passkey_*); it is not a method in the list after the password.
    """

    key = services.METHOD
    strength = "PASSWORD_WEBAUTHN"
    label = _("Security Key or Trusted Platform")
    description = _("Use a security key (such as a YubiKey) or your computer's own sign-in (such as Windows Hello "
                    "or Touch ID).")
    order = 30

    def available_for(self, user) -> bool:
        return user is not None and services.credentials_of(user).exists()

    def challenge_url(self) -> str:
        return reverse("factors_webauthn:challenge")

    def manage_url(self) -> str:
        return reverse("factors_webauthn:manage")

    def manage_label(self):
        return _("Manage my security keys and trusted platforms")

    def enrolled_count(self, user) -> int:
        return services.credentials_of(user).count()

    def remove_all(self, user) -> int:
        return services.remove_all(user)
