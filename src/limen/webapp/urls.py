from django.urls import path
from django.views.i18n import JavaScriptCatalog

from . import views

app_name = "webapp"

urlpatterns = [
    path("app/", views.shell, name="shell"),
    path("app/manifest.webmanifest", views.manifest, name="manifest"),
    path("app/sw.js", views.service_worker, name="service_worker"),
    path("app/config.json", views.config, name="config"),
    # The app's strings: the djangojs catalogue of this site (kept by the service worker for offline use).
    path("app/i18n.js", JavaScriptCatalog.as_view(packages=["limen.webapp"]), name="catalog"),
]
