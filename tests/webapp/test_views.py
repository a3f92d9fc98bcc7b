"""The web app's shell, manifest, service worker and configuration, as a browser fetches them."""

from __future__ import annotations

import json

from limen.factors.mobile_app.models import VapidKey


def test_the_shell_has_a_strict_policy_and_the_camera(client, db):
    response = client.get("/app/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "camera=(self)" in response["Permissions-Policy"]
    html = response.content.decode()
    assert 'rel="manifest"' in html and "<script>" not in html and 'type="module"' in html


def test_the_manifest_makes_the_app_installable(client):
    response = client.get("/app/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/app/" and manifest["scope"] == "/app/" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes and any(i.get("purpose") == "maskable" for i in manifest["icons"])
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200, icon["src"]


def test_the_service_worker_keeps_existing_files(client):
    response = client.get("/app/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    first = response.content.decode().splitlines()[0]
    assets = json.loads(first.removeprefix("const ASSETS = ").rstrip(";"))
    assert "/app/" in assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_the_configuration_publishes_the_vapid_key_made_once(client, db):
    first = client.get("/app/config.json").json()
    second = client.get("/app/config.json").json()
    assert first["vapid_public_key"] and first["vapid_public_key"] == second["vapid_public_key"]
    assert VapidKey.objects.count() == 1 and first["server"].startswith("http")


def test_the_catalogue_of_the_app_strings(client):
    response = client.get("/app/i18n.js")
    assert response.status_code == 200 and b"gettext" in response.content


def test_the_app_speaks_the_language_of_the_phone(client):
    """The catalogue follows the browser's language (djangojs.po), in every interface language."""
    import polib
    from django.conf import settings

    for code, _name in settings.LANGUAGES:
        if code == "en":
            continue
        po = polib.pofile(str(settings.LOCALE_PATHS[0] / code / "LC_MESSAGES" / "djangojs.po"))
        entry = po.find("Scan the QR code")
        response = client.get("/app/i18n.js", HTTP_ACCEPT_LANGUAGE=code)
        assert response.status_code == 200
        assert json.dumps(entry.msgstr)[1:-1].encode() in response.content, code
    english = client.get("/app/i18n.js", HTTP_ACCEPT_LANGUAGE="en").content
    assert b"Scan the QR code" not in english  # English needs no catalogue: the source strings show
