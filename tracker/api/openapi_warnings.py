"""The OpenAPI description of the early-warning routes (tracker/api/warnings.py)."""
from tracker.api.openapi import TIME, error_responses, json_content
from tracker.api.warnings import HOTSPOT_KEYS, HOTSPOTS_DEFAULT, HOTSPOTS_MAX
from tracker.warnings.services import REASON_CODES

OPENAPI_PATHS = {
    "/hotspots": {
        "get": {
            "tags": ["early warning"], "operationId": "listHotspots",
            "summary": "The riskiest villages in the caller's area, highest score first",
            "description": "A village's score sums its unresolved tickets' severity weights (low 1, medium 2, "
                           "high 4, critical 8), each grown with age up to double at 30 days, times the stage "
                           "multiplier of the elections under way there (lead-up 1, campaign 1.5, quiet and "
                           "voting 2, recap 1.5; 1 outside any window).",
            "parameters": [{"name": "limit", "in": "query", "description": "How many villages.",
                            "schema": {"type": "integer", "minimum": 1, "maximum": HOTSPOTS_MAX,
                                       "default": HOTSPOTS_DEFAULT}}],
            "responses": {"200": {"description": "The hotspots.", "content": json_content("HotspotList")},
                          **error_responses("401", "422")},
        },
    },
    "/flags": {
        "get": {
            "tags": ["early warning"], "operationId": "listFlags",
            "summary": "Early-warning flags on tickets the caller may see, newest first",
            "parameters": [
                {"name": "active", "in": "query", "schema": {"type": "boolean"},
                 "description": "true: only active flags; false: only cleared ones."},
                {"name": "village_code", "in": "query", "schema": {"type": "string"},
                 "description": "Only this village (code with or without dots)."},
                {"$ref": "#/components/parameters/page"},
                {"$ref": "#/components/parameters/per_page"},
            ],
            "responses": {"200": {"description": "One page of flags.", "content": json_content("FlagPage")},
                          **error_responses("401", "422")},
        },
    },
}

OPENAPI_SCHEMAS = {
    "Hotspot": {
        "type": "object", "required": list(HOTSPOT_KEYS),
        "properties": {
            "village_code": {"type": "string"}, "village_name": {"type": "string"},
            "score": {"type": "number", "description": "Risk score, two decimals."},
            "open_tickets": {"type": "integer", "description": "Unresolved tickets the caller may see."},
            "flagged_tickets": {"type": "integer", "description": "Of those, how many carry an active flag."},
        },
    },
    "HotspotList": {
        "type": "object", "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Hotspot"}}},
    },
    "Flag": {
        "type": "object",
        "required": ["ticket_id", "ticket_ref", "election_id", "stage", "reason", "raised_at", "cleared_at"],
        "properties": {
            "ticket_id": {"type": "integer"}, "ticket_ref": {"type": "string"}, "election_id": {"type": "integer"},
            "stage": {"type": "string", "enum": ["lead_up", "campaign", "quiet", "voting", "recap"],
                      "description": "The stage the flag was raised in."},
            "reason": {"type": "string", "enum": list(REASON_CODES),
                       "description": "severity: at or above the stage's severity; age: open longer than the "
                                      "stage allows; every: the stage flags every unresolved ticket."},
            "raised_at": TIME,
            "cleared_at": {**TIME, "nullable": True, "description": "Null while the flag is active."},
        },
    },
    "FlagPage": {
        "type": "object", "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Flag"}},
            "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
        },
    },
}
