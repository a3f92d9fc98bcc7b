from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PanicConfig(AppConfig):
    name = "limen.factors.panic"
    label = "factors_panic"
    verbose_name = _("PANIC: remove every device")
