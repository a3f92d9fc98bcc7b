from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    name = "limen.signin"
    label = "signin"
    verbose_name = _("Sign-in")

    def ready(self):
        from limen.notify import worker

        from . import store
        from .methods import registry
        from .password import PasswordMethod

        registry.register(PasswordMethod())
        worker.register(store.purge, every=600)
