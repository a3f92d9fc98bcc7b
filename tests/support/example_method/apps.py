from django.apps import AppConfig


class ExampleMethodConfig(AppConfig):
    name = "tests.support.example_method"
    label = "example_method"

    def ready(self):
        from limen.signin.methods import registry

        from .method import PaperCode

        registry.register(PaperCode())
