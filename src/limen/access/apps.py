from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "limen.access"
    label = "access"
    verbose_name = _("Access requests")

    def ready(self):
        from limen.accounts import tiles

        from . import mine

        tiles.register(mine.tile)
        tiles.register(mine.validator_tile)
