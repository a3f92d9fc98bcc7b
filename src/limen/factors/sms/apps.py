from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsConfig(AppConfig):
    name = "limen.factors.sms"
    label = "factors_sms"
    verbose_name = _("Mobile phone numbers (SMS)")

    def ready(self):
        from django.db.models import Q

        from limen.core import clock, secret_fields
        from limen.signin.methods import registry

        from . import codes
        from .method import SmsMethod
        from .models import SmsCode

        registry.register(SmsMethod())
        # Only a code that can still be typed keeps its key needed.
        secret_fields.register_digest(SmsCode, "digest", purpose=codes.PURPOSE,
                                      live=lambda: Q(used__isnull=True, expires__gt=clock.now()))
