from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    name = "limen.core"
    label = "core"

    def ready(self):
        from .languages import register_language_info

        register_language_info()
        from .channels import check_browser_middleware

        checks.register(check_browser_middleware, checks.Tags.security)
