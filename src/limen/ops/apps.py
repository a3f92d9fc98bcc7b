from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "limen.ops"
    label = "ops"

    def ready(self):
        from limen.audit.service import recorded

        from .audit_metrics import count

        recorded.connect(count, dispatch_uid="limen.ops.audit_metrics")
