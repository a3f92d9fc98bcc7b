"""The OpenAPI description matches the routes and the error codes."""

import json
import re

from django.urls import get_resolver

from limen.factors.mobile_app.errors import API_ERRORS


def test_openapi_is_served_and_lists_every_call(client):
    response = client.get("/mobile/api/v1/openapi.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    spec = json.loads(response.content)
    assert spec["openapi"].startswith("3.")
    documented = set(spec["paths"])
    routes = set()
    for pattern in get_resolver().url_patterns:
        for sub in getattr(pattern, "url_patterns", []):
            text = str(sub.pattern)
            if text.startswith("mobile/api/v1/"):
                routes.add("/" + re.sub(r"<str:(\w+)>", r"{\1}", text.removeprefix("mobile/api/v1/")))
    assert routes and routes == documented


def test_every_error_code_is_documented(client):
    spec = json.loads(client.get("/mobile/api/v1/openapi.json").content)
    documented = set(spec["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"])
    assert documented == {error.code for error in API_ERRORS}
    text = json.dumps(spec["paths"])
    for error in API_ERRORS:
        if error.code not in {"not_found", "method_not_allowed", "rate_limited", "too_many_devices"}:
            assert f"`{error.code}`" in text, error.code
