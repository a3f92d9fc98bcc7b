from django.urls import path

from . import challenge, views
from .methods import registry

app_name = "signin"
urlpatterns = [
    path("login/", views.identify, name="identify"),
    path("login/password/", views.password, name="password"),
    path("login/step-up/", views.step_up, name="step_up"),
    path("logout/", views.signout, name="signout"),
    path("logout/done/", views.signed_out, name="signed_out"),
]


def method_patterns() -> list:
    """Each method's challenge page (and its further steps), from the registry."""
    patterns = []
    for method in registry.with_pages():
        base = "login/" + method.descriptor.path
        patterns.append(path(base, challenge.challenge, {"method_key": method.key}, name=f"method_{method.key}"))
        for step in method.descriptor.steps:
            patterns.append(path(f"{base}{step}/", challenge.challenge, {"method_key": method.key, "step": step},
                                 name=f"method_{method.key}_{step}"))
    return patterns


urlpatterns += method_patterns()
