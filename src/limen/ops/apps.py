from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "limen.ops"
    label = "ops"
