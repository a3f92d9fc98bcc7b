"""The OpenAPI 3.1 description of the access requests API, served at /api/access/v1/openapi.json.

tests/access/test_openapi.py checks it against the routes and the answers of the API itself.
"""

from __future__ import annotations

from django.conf import settings

from .models import Status

BASE = "/api/access/v1"


def _error_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(description: str, schema: str = "AccessRequest") -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


ID = {"name": "id", "in": "path", "required": True, "description": "The request's id (a UUID).",
      "schema": {"type": "string", "format": "uuid"}}
REASON_BODY = {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Reason"}}}}
COMMON = {
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "404": _error_response("No request with this id for the token's application (`request_not_found`)."),
    "429": _error_response("Too many failed authentications from this address (`rate_limited`)."),
}


def _decision(summary: str, description: str, *, reason: bool, conflicts: str) -> dict:
    operation = {
        "summary": summary, "description": description, "parameters": [ID],
        "responses": {"200": _ok("The request after the decision."),
                      "409": _error_response(conflicts), **COMMON},
    }
    if reason:
        operation["requestBody"] = REASON_BODY
        operation["responses"]["400"] = _error_response("No reason, or one that is too long or has control "
                                                        "characters (`reason_required`, `reason_invalid`), or a "
                                                        "body that is not the JSON object described "
                                                        "(`invalid_body`).")
    return {"post": operation}


def document() -> dict:
    statuses = list(Status.values)
    when = {"type": ["string", "null"], "format": "date-time"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{settings.SITE_NAME} access requests API", "version": "1",
            "description": "List and decide the access requests of one application from a back-office system "
                           "(HR or pension records). A token acts for one application only; an operator creates "
                           "it with `limen access_policy token-add`. See docs/access-requests.md.",
        },
        "servers": [{"url": settings.BASE_URL}],
        "security": [{"token": []}],
        "paths": {
            f"{BASE}/requests": {"get": {
                "summary": "List the application's requests in one status",
                "parameters": [{"name": "status", "in": "query", "required": False,
                                "description": "Default: pending. At most 500, oldest first.",
                                "schema": {"type": "string", "enum": statuses, "default": "pending"}}],
                "responses": {"200": _ok("The requests.", "RequestList"),
                              "400": _error_response("Unknown status (`invalid_status`)."), **COMMON},
            }},
            f"{BASE}/requests/{{id}}": {"get": {
                "summary": "One request", "parameters": [ID],
                "responses": {"200": _ok("The request."), **COMMON},
            }},
            f"{BASE}/requests/{{id}}/approve": _decision(
                "Approve a pending request",
                "The details are right: the person is sent a validation code (by e-mail, or SMS if they chose it).",
                reason=False, conflicts="The request is not pending (`already_decided`)."),
            f"{BASE}/requests/{{id}}/refuse": _decision(
                "Refuse a pending request", "The person receives the reason by e-mail and may ask again.",
                reason=True, conflicts="The request is not pending (`already_decided`)."),
            f"{BASE}/requests/{{id}}/resend-code": _decision(
                "Send a new validation code",
                "The previous code stops working; a code locked by wrong tries is unlocked this way.",
                reason=False, conflicts="No code is waiting to be entered (`no_code_to_send`)."),
            f"{BASE}/requests/{{id}}/revoke": _decision(
                "Revoke an access", "The application no longer receives the details; the person is told why.",
                reason=True, conflicts="The access is not active nor waiting for its code (`not_active`)."),
            f"{BASE}/openapi.json": {"get": {
                "summary": "This document", "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
            }},
        },
        "components": {
            "securitySchemes": {"token": {
                "type": "http", "scheme": "bearer",
                "description": "The application's API token, `<id>.<secret>`, shown once when it was created."}},
            "responses": {"Unauthorized": _error_response(
                "No token (`token_required`), or a wrong or revoked one (`invalid_token`).")},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message"], "properties": {
                    "error": {"type": "string", "description": "A stable code."},
                    "message": {"type": "string", "description": "For people, in the request's language."},
                    "field": {"type": ["string", "null"]}}},
                "Reason": {"type": "object", "required": ["reason"], "additionalProperties": False,
                           "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 1000,
                                                     "description": "Sent to the person by e-mail."}}},
                "Person": {"type": "object", "properties": {
                    "uid": {"type": "string", "format": "uuid", "description": "The stable identifier "
                            "applications receive (CAS user, OpenID Connect sub)."},
                    "email": {"type": "string"}, "firstName": {"type": "string"}, "lastName": {"type": "string"}}},
                "AccessRequest": {"type": "object", "required": ["id", "status", "person", "fields", "submitted"],
                                  "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "status": {"type": "string", "enum": statuses},
                    "application": {"type": "string"},
                    "person": {"$ref": "#/components/schemas/Person"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"},
                               "description": "What the person submitted, by field name (dates as YYYY-MM-DD)."},
                    "submitted": {"type": "string", "format": "date-time"},
                    "decided": when, "decidedBy": {"type": ["string", "null"]},
                    "reason": {"type": ["string", "null"]}, "codeSent": when, "codeExpires": when,
                    "codeLocked": {"type": "boolean"}, "activated": when, "ended": when}},
                "RequestList": {"type": "object", "properties": {
                    "application": {"type": "string"}, "status": {"type": "string", "enum": statuses},
                    "requests": {"type": "array", "items": {"$ref": "#/components/schemas/AccessRequest"}}}},
            },
        },
    }
