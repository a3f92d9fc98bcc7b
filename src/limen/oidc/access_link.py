"""OpenID Connect clients as limen.access sees them: a directory of clients, and their removal."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db.models import Q
from django.db.models.signals import post_delete

from limen.access import applications, policies
from limen.access.applications import AppRef

from .models import Client


def ref(client: Client) -> AppRef:
    return AppRef("oidc", str(client.pk), client.name)


class OidcApplications:
    label = "OpenID Connect"

    def all(self) -> list[AppRef]:
        return [ref(c) for c in Client.objects.order_by("name")]

    def get(self, key: str) -> AppRef | None:
        client = Client.objects.filter(pk=key).first() if key.isdigit() else None
        return ref(client) if client else None

    def find(self, text: str) -> AppRef | None:
        found = list(Client.objects.filter(Q(client_id=text) | Q(name=text))[:2])
        exact = [c for c in found if c.client_id == text]
        if exact or len(found) == 1:
            return ref((exact or found)[0])
        return None

    def home_url(self, key: str) -> str:
        client = Client.objects.filter(pk=key).first() if key.isdigit() else None
        uris = client.redirect_uris.split() if client else []
        if not uris:
            return ""
        parts = urlsplit(uris[0])
        return f"{parts.scheme}://{parts.netloc}/"


def _removed(sender, instance: Client, **kwargs) -> None:
    policies.application_removed("oidc", instance.pk)


def connect() -> None:
    applications.register("oidc", OidcApplications())
    post_delete.connect(_removed, sender=Client, dispatch_uid="limen.oidc.access_link")
