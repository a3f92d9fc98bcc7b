"""The push gateway interface: how a new sign-in request reaches the app.

LIMEN_PUSH_BACKEND chooses the implementation:

- ``channel`` (default): the built-in channel. The app keeps a long poll open
  (GET /mobile/api/v1/challenges/wait) and is woken when a request is created
  (see channel.py). Nothing to configure; the reference authenticator uses it.
- a dotted path to a class implementing PushBackend, e.g. a gateway to a
  mobile push service (FCM, APNs, a UnifiedPush distributor). It receives a
  payload with no secret in it: only "there is a request for device X";
  the app then fetches the request over the signed API.

The built-in channel is always signalled as well, so an app that happens to be
listening is woken whatever the backend; and a device whose web app gave a
Web Push subscription gets a push through the delivery queue (webpush.py).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from . import channel, webpush

log = logging.getLogger("limen.mobile")


class PushBackend:
    """Deliver a wake-up for ``challenge`` to its device. Must not raise for delivery failures."""

    name = "base"

    def deliver(self, challenge) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    @staticmethod
    def payload(challenge) -> dict:
        """What a gateway may forward: ids only, nothing that helps an eavesdropper."""
        return {"type": "signin_request", "device": challenge.device.public_id, "request": challenge.public_id}


class ChannelPush(PushBackend):
    name = "channel"

    def deliver(self, challenge) -> None:
        pass  # send() always signals the channel


@lru_cache(maxsize=4)
def _backend(path: str) -> PushBackend:
    if path in {"", "channel"}:
        return ChannelPush()
    return import_string(path)()


def backend() -> PushBackend:
    return _backend(settings.PUSH_BACKEND)


def send(challenge) -> None:
    """Tell the device that ``challenge`` waits for it."""
    channel.signal(channel.device_key(challenge.device_id))
    webpush.notify(challenge, PushBackend.payload(challenge))
    gateway = backend()
    if isinstance(gateway, ChannelPush):
        return
    try:
        gateway.deliver(challenge)
    except Exception:  # the sign-in page still works: the app can fetch pending requests itself
        log.exception("push gateway %s failed for request %s", gateway.name, challenge.public_id)
