"""The one helper that signs in through the pages, as a browser does (every test area uses it)."""

from __future__ import annotations

from urllib.parse import urlencode

DEFAULT_PASSWORD = "Correct-Horse-42"


def sign_in(client, who, password: str = DEFAULT_PASSWORD, *, method: str | None = None,
            next_url: str | None = None, start: str | None = None, expect: int | None = None, **extra):
    """The identifier step, then the password step (choosing ``method`` if given); returns the
    response to the password step. ``who`` is an account or an e-mail address; ``start`` is the
    sign-in URL an application redirected to (its ``next`` comes along); ``expect`` asserts the status.
    """
    email = getattr(who, "email", who)
    first = start or ("/login/?" + urlencode({"next": next_url}) if next_url else "/login/")
    response = client.post(first, {"email": email}, **extra)
    second = response["Location"] if response.status_code == 302 and start else \
        "/login/password/" + ("?" + urlencode({"next": next_url}) if next_url else "")
    data = {"password": password, **({"method": method} if method else {})}
    response = client.post(second, data, **extra)
    if expect is not None:
        assert response.status_code == expect, response.content.decode()[:2000]
    return response
