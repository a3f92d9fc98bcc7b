"""The ASGI application `limen serve` runs in each worker: Django (WSGI) in LIMEN_THREADS threads,
waits in the event loop (bridge.py)."""

from __future__ import annotations

import os

from limen.core.after_response import pending
from limen.core.logs import access_line
from limen.wsgi import application as django_application

from .bridge import WsgiBridge


async def _shutdown() -> None:
    from limen.factors.mobile_app.aiohub import hub

    await hub.stop()


application = WsgiBridge(django_application, threads=int(os.environ.get("LIMEN_THREADS", "4") or 4),
                         on_shutdown=_shutdown, written_first=pending, access_line=access_line)
