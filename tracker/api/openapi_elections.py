"""The OpenAPI description of the election routes (tracker/api/elections.py)."""
from tracker.api.openapi import error_responses, json_content, request_body
from tracker.elections.models import ELECTION_KINDS, STAGES
from tracker.elections.services import NAME_MAX

_ELECTION = json_content("Election")

OPENAPI_PATHS = {
    "/elections": {
        "get": {
            "tags": ["elections"], "operationId": "listElections",
            "summary": "Elections touching the caller's villages, latest voting day first",
            "parameters": [
                {"name": "active", "in": "query", "schema": {"type": "boolean"},
                 "description": "true: only elections whose window holds the caller's local date; false: the others."},
                {"$ref": "#/components/parameters/page"},
                {"$ref": "#/components/parameters/per_page"},
            ],
            "responses": {
                "200": {"description": "One page of elections.", "content": json_content("ElectionPage")},
                **error_responses("401", "422"),
            },
        },
        "post": {
            "tags": ["elections"], "operationId": "createElection",
            "summary": "Create an election (Kodim within its own kabupaten, admin anywhere)",
            "description": "Stages not given take their defaults, counted from voting day D: lead-up from "
                           "D-120 (Pileg, Pilpres), D-90 (Pilkada) or D-60 (Pilkades); campaign from D-78, D-63 "
                           "or D-6 to D-4; quiet D-3 to D-1; voting D; recap to D+35, D+19 or D+30. "
                           "Overlapping stages, a gap, a stage ending before it starts, a pre-voting stage on "
                           "or after voting day, or a voting stage without the voting day answer 422.",
            "requestBody": request_body("ElectionInput"),
            "responses": {
                "201": {"description": "The new election.", "content": _ELECTION,
                        "headers": {"Location": {"description": "The election's URL.", "schema": {"type": "string"}}}},
                **error_responses("401", "403", "422"),
            },
        },
    },
    "/elections/{election_id}": {
        "parameters": [{"name": "election_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "get": {
            "tags": ["elections"], "operationId": "getElection", "summary": "One election",
            "responses": {"200": {"description": "The election.", "content": _ELECTION},
                          **error_responses("401", "404")},
        },
        "patch": {
            "tags": ["elections"], "operationId": "editElection",
            "summary": "Change an election's name, voting day, stages or area (Kodim within its own "
                       "kabupaten, admin anywhere)",
            "description": "Fields not given stay as they are; each is validated as in POST and nothing is "
                           "written unless all are valid. A new voting_on without stages takes the default "
                           "stages counted from it; stages, when given, replace the defaults by name as in "
                           "POST (stages not listed take their defaults; [] resets them all). scope replaces "
                           "the whole area, and active flags in villages leaving it are cleared at once. "
                           "kind cannot change (422). A Kodim may change only elections it could create, "
                           "and only into its own area (403).",
            "requestBody": request_body("ElectionChanges"),
            "responses": {"200": {"description": "The changed election.", "content": _ELECTION},
                          **error_responses("401", "403", "404", "422")},
        },
        "delete": {
            "tags": ["elections"], "operationId": "removeElection",
            "summary": "Remove an election (Kodim within its own kabupaten, admin anywhere)",
            "description": "Its active early-warning flags are cleared first, each with a flag_cleared line "
                           "in its ticket's timeline; the election then disappears from lists, the sweep, "
                           "dashboards and digests, while cleared flags keep naming it.",
            "responses": {"204": {"description": "Removed."},
                          **error_responses("401", "403", "404")},
        },
    },
}

_DAY = {"type": "string", "format": "date", "description": "A local date (the village's WIB/WITA/WIT day)."}
_STAGE = {
    "type": "object", "required": ["name", "starts_on", "ends_on"],
    "properties": {"name": {"type": "string", "enum": list(STAGES)}, "starts_on": _DAY, "ends_on": _DAY},
}

OPENAPI_SCHEMAS = {
    "Stage": _STAGE,
    "Election": {
        "type": "object",
        "required": ["id", "kind", "name", "voting_on", "window_start", "window_end", "stages"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": list(ELECTION_KINDS)},
            "name": {"type": "string"},
            "voting_on": _DAY,
            "window_start": {**_DAY, "description": "The first day of the lead-up."},
            "window_end": {**_DAY, "description": "The last day of the recap."},
            "stages": {"type": "array", "items": {"$ref": "#/components/schemas/Stage"},
                       "description": "lead_up, campaign, quiet, voting, recap, in order."},
        },
    },
    "ElectionPage": {
        "type": "object", "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Election"}},
            "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
        },
    },
    "ElectionInput": {
        "type": "object", "required": ["kind", "name", "voting_on", "scope"],
        "properties": {
            "kind": {"type": "string", "enum": list(ELECTION_KINDS)},
            "name": {"type": "string", "maxLength": NAME_MAX, "example": "Pilkades Serentak Karanganyar 2026"},
            "voting_on": _DAY,
            "scope": {
                "description": 'Exactly one of {"national": true}, {"regions": [province or kabupaten codes]} '
                               'or, for a Pilkades only, {"villages": [desa codes]} (kelurahan are refused).',
                "oneOf": [
                    {"type": "object", "required": ["national"], "additionalProperties": False,
                     "properties": {"national": {"type": "boolean", "enum": [True]}}},
                    {"type": "object", "required": ["regions"], "additionalProperties": False,
                     "properties": {"regions": {"type": "array", "minItems": 1, "items": {"type": "string"},
                                                "example": ["33.13"]}}},
                    {"type": "object", "required": ["villages"], "additionalProperties": False,
                     "properties": {"villages": {"type": "array", "minItems": 1, "items": {"type": "string"},
                                                 "example": ["33.13.14.2005", "33.13.14.2006"]}}},
                ],
            },
            "stages": {"type": "array", "items": {"$ref": "#/components/schemas/Stage"},
                       "description": "Stages replacing their defaults by name; a lead-up not given ends the day "
                                      "before the campaign, a recap not given starts the day after voting."},
        },
    },
}
# PATCH takes POST's fields, every one optional.
OPENAPI_SCHEMAS["ElectionChanges"] = {
    **{key: value for key, value in OPENAPI_SCHEMAS["ElectionInput"].items() if key != "required"},
    "description": "Any of the fields of ElectionInput; kind, if given, must be the election's own.",
}
