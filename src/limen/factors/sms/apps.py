from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsConfig(AppConfig):
    name = "limen.factors.sms"
    label = "factors_sms"
    verbose_name = _("Mobile phone numbers (SMS)")

    def ready(self):
        from limen.signin.methods import registry

        from .method import SmsMethod

        registry.register(SmsMethod())
