from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasConfig(AppConfig):
    name = "limen.cas"
    label = "cas"
    verbose_name = _("CAS single sign-on")

    def ready(self):
        from limen.notify import worker
        from limen.signin.signals import sso_session_ending

        from . import access_link, maintenance, slo

        sso_session_ending.connect(slo.on_sso_session_ending, dispatch_uid="limen.cas.slo")
        # The background worker of `limen run` / `limen serve` ends sessions that expired unattended and
        # removes expired tickets (logout requests are retried with the rest of the delivery queue).
        worker.register(maintenance.cleanup, every=maintenance.CLEANUP_EVERY)
        access_link.connect()  # its applications may require access validation (limen.access)
