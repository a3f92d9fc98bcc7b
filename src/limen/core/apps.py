from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "limen.core"
    label = "core"
