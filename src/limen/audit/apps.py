from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "limen.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from limen.core.rotation import secrets_rotated

        from .receivers import on_secrets_rotated

        secrets_rotated.connect(on_secrets_rotated, dispatch_uid="limen.audit.secrets_rotated")
