from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from limen.factors.base import Factor
from limen.signin import levels  # noqa: F401  (the strength below is one of levels.STRENGTH_LEVELS)

from . import services
from .models import RecoveryCode


class RecoveryCodeFactor(Factor):
    key = services.METHOD
    strength = "PASSWORD_RECOVERY_CODE"
    label = _("Recovery code")
    description = _("One of the single-use codes you saved for the day you lose your phone or security key.")
    order = 900

    def available_for(self, user) -> bool:
        return user is not None and RecoveryCode.objects.filter(user=user, used__isnull=True).exists()

    def challenge_url(self) -> str:
        return reverse("factors_recovery:challenge")

    def manage_url(self) -> str:
        return reverse("factors_recovery:manage")

    def manage_label(self):
        return _("Manage my recovery codes")

    def enrolled_count(self, user) -> int:
        return services.remaining(user)

    def remove_all(self, user) -> int:
        return services.remove_all(user)
