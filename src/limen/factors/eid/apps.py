from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EidConfig(AppConfig):
    name = "limen.factors.eid"
    label = "factors_eid"
    verbose_name = _("National eID")

    def ready(self):
        from limen.core import secret_fields
        from limen.signin.methods import registry

        from .method import EidMethod
        from .models import SECRET_PURPOSE, UpstreamProvider

        registry.register(EidMethod())
        secret_fields.register_encrypted(UpstreamProvider, "client_secret_encrypted", purpose=SECRET_PURPOSE)
