from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "limen.core"
    label = "core"

    def ready(self):
        from .languages import register_language_info

        register_language_info()
