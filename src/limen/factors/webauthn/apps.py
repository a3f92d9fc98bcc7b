from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebAuthnConfig(AppConfig):
    name = "limen.factors.webauthn"
    label = "factors_webauthn"
    verbose_name = _("Security keys, trusted platforms and passkeys")

    def ready(self):
        from limen.factors.base import registry

        from .factor import WebAuthnFactor

        registry.register(WebAuthnFactor())
