"""The two sign-in methods the mobile authenticator offers, as registry Factors."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from limen.factors.base import Factor

from .models import DeviceStatus, MobileDevice


class _MobileFactor(Factor):
    def available_for(self, user) -> bool:
        """Listed while the account has an active device; a locked one still counts (see docs/mobile-app.md)."""
        if user is None or not getattr(user, "pk", None):
            return False
        return MobileDevice.objects.filter(user=user, status=DeviceStatus.ACTIVE).exists()

    def manage_url(self) -> str:
        return reverse("mobile_app:devices")

    def manage_label(self):
        return _("Manage my mobile devices")

    def enrolled_count(self, user) -> int:
        return MobileDevice.objects.filter(user=user, status=DeviceStatus.ACTIVE).count()

    def remove_all(self, user) -> int:
        from .services import devices

        return devices.remove_all(user)


class MobileAppPin(_MobileFactor):
    key = "mobile_app_pin"
    strength = "PASSWORD_MOBILE_APP"
    label = _("Mobile app PIN code")
    description = _("Approve the sign-in in the mobile app on your phone or tablet, with your PIN code.")
    order = 10

    def challenge_url(self) -> str:
        return reverse("mobile_app:push")


class MobileAppQr(_MobileFactor):
    key = "mobile_app_qr"
    strength = "PASSWORD_SOFTWARE_TOKEN"
    label = _("Mobile app QR code")
    description = _("Scan a QR code with the mobile app and type the one-time password it shows. Works offline.")
    order = 20

    def challenge_url(self) -> str:
        return reverse("mobile_app:qr")

    def enrolled_count(self, user) -> int:
        return 0  # the same devices as "Mobile app PIN code", counted there (My Account, PANIC)

    def remove_all(self, user) -> int:
        return 0  # removed with "Mobile app PIN code"
