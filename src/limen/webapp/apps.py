from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebappConfig(AppConfig):
    name = "limen.webapp"
    label = "webapp"
    verbose_name = _("Web authenticator")
