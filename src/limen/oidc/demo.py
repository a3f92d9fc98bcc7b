"""Sample data for `limen demo`: the OpenID Connect demo application, registered as a client."""

from __future__ import annotations

from . import clients
from .models import Client

DEMO_CLIENT_ID = "demo-oidc-app"
DEMO_NAME = "OpenID Connect demo"


def prepare(app_url: str) -> tuple[str, str]:
    """Register the demo application (idempotent) with a fresh secret; returns (client_id, secret)."""
    app_url = app_url.rstrip("/")
    uris = {"redirect_uris": app_url + "/callback", "post_logout_redirect_uris": app_url + "/signed-out",
            "backchannel_logout_uri": app_url + "/backchannel-logout"}
    client = Client.objects.filter(client_id=DEMO_CLIENT_ID).first()
    if client is None:
        registered = clients.register(name=DEMO_NAME, client_id=DEMO_CLIENT_ID,
                                      redirect_uris=[uris["redirect_uris"]],
                                      post_logout_redirect_uris=[uris["post_logout_redirect_uris"]],
                                      backchannel_logout_uri=uris["backchannel_logout_uri"], operator="limen demo")
        return DEMO_CLIENT_ID, registered.secret
    Client.objects.filter(pk=client.pk).update(active=True, **uris)
    client.refresh_from_db()
    return DEMO_CLIENT_ID, clients.reset_secret(client, operator="limen demo")
