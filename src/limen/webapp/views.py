"""The app's shell, manifest, service worker and configuration. Thin: the app is static files plus what the
server knows (its address, its name, the VAPID public key).

Every response of /app/ carries the app's own Content-Security-Policy: scripts,
styles and workers from this site only, no inline code, the camera for this
site only; connections to this site and to other Limen servers over HTTPS (an
app may hold accounts of several servers), or to this machine (development).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from limen.factors.mobile_app import webpush
from limen_protocol import API_PREFIX, OCRA_SUITE

STATIC = Path(__file__).with_name("static") / "webapp"
VERSION = "1"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "media-src 'self' blob: mediastream:; worker-src 'self'; manifest-src 'self'; "
       "connect-src 'self' https: http://localhost:* http://127.0.0.1:*; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
PERMISSIONS = "camera=(self), microphone=(), geolocation=(), publickey-credentials-get=(self), " \
              "publickey-credentials-create=(self)"


def _app_headers(response, *, cache: str = "no-cache"):
    response["Content-Security-Policy"] = CSP
    response["Permissions-Policy"] = PERMISSIONS
    response["Cache-Control"] = cache
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def shell(request):
    return _app_headers(render(request, "webapp/app.html", {"server": settings.BASE_URL}))


@require_GET
def manifest(request):
    data = {
        "name": _("%(site_name)s Authenticator") % {"site_name": settings.SITE_NAME},
        "short_name": settings.SITE_NAME,
        "description": _("Approve sign-ins and make one-time passwords for your %(site_name)s account.")
        % {"site_name": settings.SITE_NAME},
        "id": "/app/", "start_url": "/app/", "scope": "/app/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#003399", "lang": request.LANGUAGE_CODE,
        "icons": [
            {"src": static("webapp/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("webapp/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("webapp/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("webapp/icons/maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
    response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")
    return _app_headers(response)


@require_GET
def service_worker(request):
    """The worker at /app/sw.js, so that its scope is /app/; the list of files to keep offline is the
    static files' current (hashed) addresses."""
    assets = [static("limen/limen.css")] + [static(f"webapp/{name}") for name in ASSETS]
    source = (STATIC / "sw.js").read_text()
    head = "const ASSETS = %s;\nconst VERSION = %s;\nconst CATALOG = %s;\n" % (
        json.dumps(["/app/", *assets]), json.dumps(f"limen-app-{VERSION}-{_content_hash()}"),
        json.dumps("/app/i18n.js"))
    response = HttpResponse(head + source, content_type="text/javascript; charset=utf-8")
    return _app_headers(response, cache="no-cache")


@lru_cache(maxsize=1)
def _content_hash() -> str:
    """Changes whenever a kept file changes: the worker's text changes with it, so browsers install the new
    worker, which keeps the new files (and drops the old cache)."""
    digest = hashlib.sha256()
    for name in ["limen/limen.css", *(f"webapp/{asset}" for asset in ASSETS), "webapp/sw.js"]:
        found = finders.find(name)
        digest.update(Path(found).read_bytes() if found else name.encode())
    return digest.hexdigest()[:16]


@require_GET
def config(request):
    response = JsonResponse({
        "server": settings.BASE_URL, "site_name": settings.SITE_NAME, "api_prefix": API_PREFIX,
        "ocra_suite": OCRA_SUITE, "vapid_public_key": webpush.public_key(), "version": VERSION,
    })
    return _app_headers(response)


ASSETS = [
    "app.css", "js/app.js", "js/api.js", "js/b64.js", "js/ctx.js", "js/flows.js", "js/i18n.js", "js/keys.js",
    "js/live.js", "js/ocra.js", "js/protocol.js", "js/requests.js", "js/scanner.js", "js/screens.js",
    "js/settings.js", "js/store.js", "js/ui.js", "js/webauthn.js", "vendor/jsQR.js", "icons/icon.svg",
    "icons/icon-192.png",
]
