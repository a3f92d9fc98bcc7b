from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecoveryConfig(AppConfig):
    name = "limen.factors.recovery"
    label = "factors_recovery"
    verbose_name = _("Recovery codes")

    def ready(self):
        from limen.signin.methods import registry

        from .method import RecoveryCodeMethod

        registry.register(RecoveryCodeMethod())
