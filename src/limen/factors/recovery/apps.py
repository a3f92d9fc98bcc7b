from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecoveryConfig(AppConfig):
    name = "limen.factors.recovery"
    label = "factors_recovery"
    verbose_name = _("Recovery codes")

    def ready(self):
        from django.db.models import Q

        from limen.core import secret_fields
        from limen.signin.methods import registry

        from . import codes
        from .method import RecoveryCodeMethod
        from .models import RecoveryCode

        registry.register(RecoveryCodeMethod())
        secret_fields.register_digest(RecoveryCode, "digest", purpose=codes.PURPOSE,
                                      live=lambda: Q(used__isnull=True))
