from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EidConfig(AppConfig):
    name = "limen.factors.eid"
    label = "factors_eid"
    verbose_name = _("National eID")

    def ready(self):
        from limen.signin.methods import registry

        from .method import EidMethod

        registry.register(EidMethod())
