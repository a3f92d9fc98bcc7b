from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EidConfig(AppConfig):
    name = "limen.factors.eid"
    label = "factors_eid"
    verbose_name = _("National eID")

    def ready(self):
        from limen.factors.base import registry

        from .factor import EidFactor

        registry.register(EidFactor())
