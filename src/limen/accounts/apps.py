from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "limen.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # The handlers of the jobs these services leave for after the response
        # (limen.notify.deferred) must be known in every process, the worker's too.
        from .services import passwords, registration  # noqa: F401
