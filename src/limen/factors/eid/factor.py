"""National eID as a Limen sign-in method (strength EIDAS, counted as two factors)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from limen.factors.base import Factor


class EidFactor(Factor):
    key = "eid"
    strength = "EIDAS"
    label = _("National eID")
    description = _("Use your national electronic identity to sign in, without a password.")
    order = 70
    passwordless = True

    def available_for(self, user) -> bool:
        from .models import EidLink

        return bool(user and user.pk) and EidLink.objects.filter(user=user, provider__enabled=True).exists()

    def challenge_url(self) -> str:
        return reverse("eid:verify")

    def manage_url(self) -> str:
        return reverse("eid:manage")

    def manage_label(self):
        return _("Manage my eIDs")

    def enrolled_count(self, user) -> int:
        from .models import EidLink

        return EidLink.objects.filter(user=user).count()

    def remove_all(self, user) -> int:
        from . import services

        return services.unlink_all(user)
