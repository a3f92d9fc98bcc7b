from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnMobileConfig(AppConfig):
    name = "limen.factors.on_mobile"
    label = "factors_on_mobile"
    verbose_name = _("Sign-in with the app on the same phone")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from limen.signin.methods import registry

        from .method import OnMobile

        registry.register(OnMobile())
