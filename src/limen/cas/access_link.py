"""CAS applications as limen.access sees them: a directory of services, and their removal."""

from __future__ import annotations

from django.db.models.signals import post_delete

from limen.access import applications, policies
from limen.access.applications import AppRef

from .models import Service


def ref(service: Service) -> AppRef:
    return AppRef("cas", str(service.pk), service.name)


class CasApplications:
    label = "CAS"

    def all(self) -> list[AppRef]:
        return [ref(s) for s in Service.objects.order_by("name")]

    def get(self, key: str) -> AppRef | None:
        service = Service.objects.filter(pk=key).first() if key.isdigit() else None
        return ref(service) if service else None

    def find(self, text: str) -> AppRef | None:
        service = Service.objects.filter(name=text).first()
        return ref(service) if service else None

    def home_url(self, key: str) -> str:
        service = Service.objects.filter(pk=key).first() if key.isdigit() else None
        pattern = service.url_pattern if service else ""
        return pattern if pattern.startswith(("https://", "http://")) else ""


def _removed(sender, instance: Service, **kwargs) -> None:
    policies.application_removed("cas", instance.pk)


def connect() -> None:
    applications.register("cas", CasApplications())
    post_delete.connect(_removed, sender=Service, dispatch_uid="limen.cas.access_link")
