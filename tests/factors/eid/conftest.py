"""eID fixtures: a fake upstream provider over real HTTP, providers and links in one line."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from .fake_upstream import FakeUpstream


@pytest.fixture(scope="session")
def fake_upstream():
    upstream = FakeUpstream()
    yield upstream
    upstream.close()


@pytest.fixture
def upstream(fake_upstream):
    fake_upstream.mode = "ok"
    fake_upstream.subject = "citizen-0001"
    fake_upstream.token_requests.clear()
    return fake_upstream


@pytest.fixture
def eid_provider(db, upstream):
    from limen.factors.eid.models import UpstreamProvider

    provider = UpstreamProvider(name="Test eID", slug="test-eid", issuer=upstream.issuer,
                                client_id=upstream.CLIENT_ID)
    provider.set_secret(upstream.CLIENT_SECRET)
    provider.save()
    return provider


@pytest.fixture
def make_link(db, eid_provider, upstream):
    """``make_link(user, subject="citizen-0001")``: the person's eID is linked to ``user``."""
    from limen.core import clock
    from limen.factors.eid.models import EidLink

    def build(user, subject: str = "citizen-0001"):
        return EidLink.objects.create(user=user, provider=eid_provider, issuer=upstream.issuer, subject=subject,
                                      created=clock.now())

    return build


def through_upstream(client, response):
    """Follow a Limen redirect to the upstream provider and its answer back to Limen's callback."""
    assert response.status_code == 302, response.content[:500]
    url = response["Location"]
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return client.get(back.path + "?" + back.query)
