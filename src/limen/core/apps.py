from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "limen.core"
    label = "core"

    def ready(self):
        from .channels import check_browser_middleware

        checks.register(check_browser_middleware, checks.Tags.security)
