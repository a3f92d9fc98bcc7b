from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from limen.factors.base import Factor

from . import services


class SmsFactor(Factor):
    key = services.METHOD
    strength = "PASSWORD_SMS"
    label = _("Mobile Phone + SMS")
    description = _("Receive a code by SMS on one of your mobile phone numbers.")
    order = 40

    def available_for(self, user) -> bool:
        return settings.SMS_ENABLED and user is not None and services.numbers_of(user).exists()

    def challenge_url(self) -> str:
        return reverse("factors_sms:challenge")

    def manage_url(self):
        return reverse("factors_sms:manage") if settings.SMS_ENABLED else None

    def manage_label(self):
        return _("Manage my mobile phone numbers")

    def enrolled_count(self, user) -> int:
        return services.numbers_of(user).count()

    def remove_all(self, user) -> int:
        return services.remove_all(user)
