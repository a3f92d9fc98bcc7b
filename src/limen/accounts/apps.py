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

        # Django's update_last_login saves the account through the ORM at every sign-in: the same UPDATE,
        # written once (limen.accounts.rows), instead.
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(_last_login, dispatch_uid="limen.accounts.last_login")


def _last_login(sender, user, **kwargs):
    from django.utils import timezone

    from .rows import set_last_login

    set_last_login(user, timezone.now())
