"""The OpenAPI description of the token routes (tracker/api/auth.py)."""
from tracker.api.openapi import error_responses, json_content, request_body

OPENAPI_PATHS = {
    "/auth/tokens": {
        "post": {
            "tags": ["auth"],
            "operationId": "createToken",
            "summary": "Get a bearer token",
            "description": "Failed attempts count towards the same lockout as the login page.",
            "security": [],
            "requestBody": request_body("Credentials"),
            "responses": {
                "201": {
                    "description": "A new token.",
                    "content": json_content("Token"),
                },
                **error_responses("401", "422"),
            },
        },
    },
    "/auth/tokens/current": {
        "delete": {
            "tags": ["auth"],
            "operationId": "revokeCurrentToken",
            "summary": "Revoke the token this request presents",
            "responses": {
                "204": {"description": "Revoked; the token no longer works."},
                **error_responses("401"),
            },
        },
    },
}

OPENAPI_SCHEMAS = {
    "Credentials": {
        "type": "object",
        "required": ["username", "password"],
        "properties": {"username": {"type": "string"}, "password": {"type": "string", "format": "password"}},
    },
    "Token": {
        "type": "object",
        "required": ["token", "expires_at"],
        "properties": {"token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}},
    },
}
