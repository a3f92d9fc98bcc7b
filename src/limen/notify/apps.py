from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "limen.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self):
        import os

        from . import deferred, worker

        worker.register(deferred.run_due)  # jobs left by a request whose process stopped, and retries

        # `limen run` and `limen serve` set this; tests and one-off commands do not.
        if os.environ.get("LIMEN_OUTBOX_WORKER") == "1" and os.environ.get("RUN_MAIN", "true") == "true":
            worker.start()
