"""GET /api/v1/openapi.json: the API described as an OpenAPI 3 document.

The routes of each API module ``tracker/api/<name>.py`` are described
beside it, in ``tracker/api/openapi_<name>.py``: a module-level
``OPENAPI_PATHS`` dict (paths relative to /api/v1, in OpenAPI form such as
``/tickets/{ticket_id}``) and, optionally, ``OPENAPI_SCHEMAS`` for the
component schemas it references, built with the helpers below. This
module merges them with the shared components; tests/api/test_openapi.py
checks the result against the routes actually registered.
"""
import importlib

from flask import jsonify


API_PREFIX = "/api/v1"
# Modules owned by other features are described when they are installed.
DESCRIBED_MODULES = (
    "tracker.api.openapi_auth", "tracker.api.openapi_villages", "tracker.api.openapi_tickets", "tracker.api.openapi",
    "tracker.api.openapi_elections", "tracker.api.openapi_warnings", "tracker.api.openapi_attachments",
)

TIME = {"type": "string", "format": "date-time", "description": "UTC, ISO 8601 with offset."}
_ERROR_RESPONSES = {
    "401": "Unauthorized", "403": "Forbidden", "404": "NotFound", "409": "Conflict", "422": "ValidationFailed",
}


def json_content(schema_name):
    """A JSON content map whose schema is the named component schema."""
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}


def request_body(schema_name):
    """A required JSON request body of the named component schema."""
    return {"required": True, "content": json_content(schema_name)}


def error_responses(*codes):
    """{status: reference to the shared response} for the error statuses an operation answers."""
    return {code: {"$ref": f"#/components/responses/{_ERROR_RESPONSES[code]}"} for code in codes}


def _error_response(description, schema="Error"):
    return {"description": description, "content": json_content(schema)}


SHARED_COMPONENTS = {
    "securitySchemes": {
        "bearerAuth": {"type": "http", "scheme": "bearer",
                       "description": "A token from POST /auth/tokens, sent as `Authorization: Bearer <token>`."},
    },
    "schemas": {
        "Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {"type": "string", "description": "A message for a person."}},
        },
        "ValidationErrors": {
            "type": "object", "required": ["errors"],
            "properties": {"errors": {
                "type": "object", "description": "Messages per field name (`body` for the body as a whole).",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            }},
            "example": {"errors": {"title": ["This field is required."]}},
        },
    },
    "responses": {
        "Unauthorized": _error_response("No valid bearer token (or, for POST /auth/tokens, wrong credentials)."),
        "Forbidden": _error_response("The caller's role may not do this, or the village is outside the caller's area."),
        "NotFound": _error_response("No such object in the caller's scope."),
        "Conflict": _error_response("Not possible in the object's current state, or a stale `version`."),
        "ValidationFailed": _error_response("Invalid input; every bad field is named.", "ValidationErrors"),
    },
    "parameters": {
        "page": {"name": "page", "in": "query", "description": "Page number, from 1.",
                 "schema": {"type": "integer", "minimum": 1, "default": 1}},
        "per_page": {"name": "per_page", "in": "query", "description": "Items per page.",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}},
        "ticket_id": {"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "integer"}},
    },
}


def _described_modules():
    for name in DESCRIBED_MODULES:
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise


def build_document():
    """The OpenAPI document, merged from every described API module."""
    paths, schemas = {}, dict(SHARED_COMPONENTS["schemas"])
    for module in _described_modules():
        for path, item in getattr(module, "OPENAPI_PATHS", {}).items():
            if path.startswith(API_PREFIX + "/"):
                path = path[len(API_PREFIX):]
            paths.setdefault(path, {}).update(item)
        schemas.update(getattr(module, "OPENAPI_SCHEMAS", {}))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Waspada API",
            "version": "1",
            "description": "Tickets from Komsos visits, scoped to the caller's area. Errors are "
                           '`{"error": "message"}` (401/403/404/409) or `{"errors": {"field": ["message"]}}` '
                           "(422). Messages follow the interface language (Bahasa Indonesia unless `?lang=en`).",
        },
        "servers": [{"url": API_PREFIX}],
        "security": [{"bearerAuth": []}],
        "paths": dict(sorted(paths.items())),
        "components": {**SHARED_COMPONENTS, "schemas": schemas},
    }


def openapi_document():
    """The OpenAPI document; public, so clients can discover the API before logging in."""
    return jsonify(build_document())


OPENAPI_PATHS = {
    "/openapi.json": {
        "get": {
            "tags": ["meta"],
            "operationId": "getOpenApiDocument",
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "The OpenAPI 3 document.",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        },
    },
}
