"""The OpenAPI description of the village route (tracker/api/villages.py)."""
from tracker.api.openapi import error_responses, json_content
from tracker.api.villages import QUERY_MAX

OPENAPI_PATHS = {
    "/villages": {
        "get": {
            "tags": ["villages"],
            "operationId": "listVillages",
            "summary": "Villages in the caller's area",
            "parameters": [
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": QUERY_MAX},
                 "description": "Part of the name (any case), or the start of the code (e.g. 33.13.14)."},
                {"$ref": "#/components/parameters/page"},
                {"$ref": "#/components/parameters/per_page"},
            ],
            "responses": {
                "200": {
                    "description": "One page of villages, by name.",
                    "content": json_content("VillagePage"),
                },
                **error_responses("401", "422"),
            },
        },
    },
}

OPENAPI_SCHEMAS = {
    "Village": {
        "type": "object",
        "required": ["code", "name", "kind", "district", "regency"],
        "properties": {
            "code": {"type": "string", "example": "33.13.14.2005"},
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["kelurahan", "desa", "desa_adat"]},
            "district": {"type": "string", "description": "Kecamatan name."},
            "regency": {"type": "string", "description": "Kabupaten/kota name."},
        },
    },
    "VillagePage": {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Village"}},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
        },
    },
}
