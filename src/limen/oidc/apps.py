from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OidcConfig(AppConfig):
    name = "limen.oidc"
    label = "oidc"
    verbose_name = _("OpenID Connect")

    def ready(self):
        from limen.core import secret_fields
        from limen.notify import worker
        from limen.signin.signals import sso_session_ending

        from . import access_link, backchannel, clientauth, keys, logout
        from .models import Client, SigningKey

        sso_session_ending.connect(logout.on_sso_session_ending, dispatch_uid="limen.oidc.logout")
        worker.register(backchannel.clean_up, every=3600)
        secret_fields.register_encrypted(SigningKey, "private_key", purpose=keys.PURPOSE)
        secret_fields.register_encrypted(Client, "secret_encrypted", purpose=clientauth.SECRET_PURPOSE)
        access_link.connect()  # its applications may require access validation (limen.access)
