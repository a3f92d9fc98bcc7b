from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebAuthnConfig(AppConfig):
    name = "limen.factors.webauthn"
    label = "factors_webauthn"
    verbose_name = _("Security keys, trusted platforms and passkeys")

    def ready(self):
        from limen.signin.methods import registry

        from .method import PasskeyMethod, WebAuthnMethod

        registry.register(WebAuthnMethod())
        registry.register(PasskeyMethod())
