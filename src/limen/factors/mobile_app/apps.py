from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobileAppConfig(AppConfig):
    name = "limen.factors.mobile_app"
    label = "factors_mobile_app"
    verbose_name = _("Mobile authenticator")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from limen.core import secret_fields
        from limen.signin.methods import registry

        from . import sealing
        from . import webpush  # noqa: F401  (registers the "webpush" channel of the delivery queue)
        from .method import MobileAppPin, MobileAppQr
        from .models import Enrolment, MobileDevice, VapidKey

        registry.register(MobileAppPin())
        registry.register(MobileAppQr())
        secret_fields.register_encrypted(MobileDevice, "sealed", purpose=sealing.PURPOSE)
        secret_fields.register_encrypted(Enrolment, "sealed", purpose=sealing.PURPOSE)
        secret_fields.register_encrypted(VapidKey, "sealed_private_key", purpose=webpush.PURPOSE)
