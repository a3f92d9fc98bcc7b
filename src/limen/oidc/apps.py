from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OidcConfig(AppConfig):
    name = "limen.oidc"
    label = "oidc"
    verbose_name = _("OpenID Connect")

    def ready(self):
        from limen.notify import worker
        from limen.signin.signals import sso_session_ending

        from . import access_link, backchannel, logout

        sso_session_ending.connect(logout.on_sso_session_ending, dispatch_uid="limen.oidc.logout")
        worker.register(backchannel.clean_up, every=3600)
        access_link.connect()  # its applications may require access validation (limen.access)
