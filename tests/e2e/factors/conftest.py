"""Browser tests of the second factors, on the shared e2e fixtures (tests/e2e/conftest.py).

What differs from the other browser tests: WebAuthn needs a secure context and
a domain name as relying party ID, so these tests use a server of their own
whose LIMEN_BASE_URL is http://localhost:<port> (Chromium treats localhost
as secure), and ``factors_site`` points at it. E-mails arrive at the shared
SMTP mailbox; SMS (console gateway) are read on the development outbox page,
in a second tab, as a developer would.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.e2e.conftest import SCREENSHOTS, Site, _slug


@pytest.fixture(scope="session")
def factors_server(make_server):
    return make_server("factors", host="localhost")


@pytest.fixture
def factors_site(request, page, factors_server, mailbox) -> Site:
    shots = SCREENSHOTS / "factors" / _slug(request.node.name)
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True, exist_ok=True)
    request.node.factors_log_start = factors_server.log_size()
    return Site(page, factors_server, mailbox, shots)


@pytest.fixture
def outbox(context, page):
    """A second tab, for the development outbox (where SMS are read); the first tab stays in front."""
    tab = context.new_page()
    page.bring_to_front()
    return tab


def run_python(server, code: str) -> str:
    """Python inside Django against the server's own database (``limen shell -c``); returns stdout."""
    result = subprocess.run(server._limen("shell", "-c", code), env=server.env, cwd=server.data_dir,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


class VirtualAuthenticator:
    """A Chromium virtual authenticator (DevTools WebAuthn domain) attached to a page."""

    def __init__(self, context, page, *, transport: str, resident: bool = True, uv: bool = True):
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable", {"enableUI": False})
        self.id = self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "ctap2Version": "ctap2_1", "transport": transport, "hasResidentKey": resident,
            "hasUserVerification": True, "isUserVerified": uv, "automaticPresenceSimulation": True,
        }})["authenticatorId"]

    def credentials(self) -> list[dict]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})["credentials"]

    def set_user_verified(self, verified: bool) -> None:
        self.cdp.send("WebAuthn.setUserVerified", {"authenticatorId": self.id, "isUserVerified": verified})

    def set_sign_count(self, credential: dict, count: int) -> None:
        """Put the credential back with another counter: what a copy of the key would do."""
        self.cdp.send("WebAuthn.removeCredential", {"authenticatorId": self.id,
                                                    "credentialId": credential["credentialId"]})
        fields = {k: credential[k] for k in ("credentialId", "isResidentCredential", "rpId", "privateKey",
                                             "userHandle") if k in credential}
        self.cdp.send("WebAuthn.addCredential", {"authenticatorId": self.id,
                                                 "credential": {**fields, "signCount": count}})


@pytest.fixture
def virtual_authenticator(context, page):
    def attach(transport: str = "usb", **options) -> VirtualAuthenticator:
        return VirtualAuthenticator(context, page, transport=transport, **options)

    return attach


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    server = getattr(item, "funcargs", {}).get("factors_server")
    if report.when == "call" and report.failed and server is not None and hasattr(item, "factors_log_start"):
        report.sections.append((f"Limen server log during the test ({server.log_path})",
                                server.log(since=item.factors_log_start)))
