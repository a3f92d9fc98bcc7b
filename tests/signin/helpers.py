"""Small helpers shared by the sign-in tests."""

from __future__ import annotations

import re
from urllib.parse import quote

from django.test import Client

from tests.support import pages

from ..conftest import DEFAULT_PASSWORD

WRONG = "Wrong-Password-1"


def attempt(client: Client, email: str, password: str, **extra):
    """Both steps of the sign-in form; returns the response to the password step."""
    return pages.sign_in(client, email, password, **extra)


def sign_in(email: str, password: str = DEFAULT_PASSWORD, **client_kwargs) -> Client:
    """A new browser, signed in through the pages."""
    client = Client(**client_kwargs)
    pages.sign_in(client, email, password, expect=302)
    return client


def signed_in(client: Client) -> bool:
    return client.get("/account/").status_code == 200


def errors_of(response) -> list[str]:
    form = response.context["form"]
    return [str(e) for field in form.errors.values() for e in field]


def normalised(response, *replace: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    for text in replace:
        html = html.replace(text, "ADDRESS").replace(quote(text, safe=""), "ADDRESS")
    return html


def transaction_of(client: Client) -> dict:
    """The data of the browser's current sign-in transaction (limen.signin.store)."""
    from limen.signin.models import SigninTransaction
    from limen.signin.store import CURRENT_KEY

    return SigninTransaction.objects.get(pk=client.session[CURRENT_KEY]).data


def method_state(client: Client, method: str) -> dict:
    """What a method keeps in the current transaction (its challenge id, ...)."""
    return transaction_of(client)["state"].get(method, {})
