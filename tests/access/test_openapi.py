"""The access requests API's OpenAPI document: served, valid OpenAPI 3.1, covering every route of the API,
and describing what the API really answers (each answer checked against its schema)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import get_resolver
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from limen.access import tokens

pytestmark = pytest.mark.django_db


@pytest.fixture
def document():
    response = Client().get("/api/access/v1/openapi.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def test_the_document_is_valid_openapi(document):
    validate(document)  # raises with the first problem
    assert document["openapi"] == "3.1.0"


def test_every_route_of_the_api_is_described(document):
    routes = set()
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) != "access":
            continue
        for inner in pattern.url_patterns:
            if inner.name.startswith("api_"):
                route = "/" + str(inner.pattern)
                routes.add(re.sub(r"<uuid:pk>", "{id}", route))
    described = set(document["paths"])
    actions = {"/api/access/v1/requests/{id}/" + a for a in ("approve", "refuse", "resend-code", "revoke")}
    assert routes - {"/api/access/v1/requests/{id}/<slug:action>"} <= described
    assert actions <= described


def _check(document, schema_name: str, instance) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    errors = list(Draft202012Validator(schema).iter_errors(instance))
    assert not errors, [e.message for e in errors]


def test_the_answers_match_their_schemas(document, pending, access_policy):
    _token, value = tokens.create(access_policy, "HR")
    http, auth = Client(), {"HTTP_AUTHORIZATION": f"Bearer {value}"}
    _check(document, "RequestList", http.get("/api/access/v1/requests", **auth).json())
    _check(document, "AccessRequest", http.get(f"/api/access/v1/requests/{pending.public_id}", **auth).json())
    approved = http.post(f"/api/access/v1/requests/{pending.public_id}/approve", **auth).json()
    _check(document, "AccessRequest", approved)
    _check(document, "Error", http.post(f"/api/access/v1/requests/{pending.public_id}/approve", **auth).json())
    _check(document, "Error", http.get("/api/access/v1/requests").json())
    assert set(approved) == set(document["components"]["schemas"]["AccessRequest"]["properties"])
