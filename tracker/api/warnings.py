"""Early warning over JSON: hotspots and flags, scoped to the caller."""
from flask import jsonify, request
from flask_babel import gettext as _

from tracker.api.common import current_api_user, paginate, token_required
from tracker.api.serializers import iso_time
from tracker.errors import ValidationError
from tracker.params import bounded_arg
from tracker.regions.codes import CodeError, normalize
from tracker.validation import parse_bool
from tracker.warnings.services import REASON_CODES, flags_for_user, hotspots

HOTSPOTS_DEFAULT, HOTSPOTS_MAX = 10, 100
HOTSPOT_KEYS = ("village_code", "village_name", "score", "open_tickets", "flagged_tickets")


def flag_json(flag):
    """A flag with its ticket's reference (the ticket is loaded with the flag)."""
    return {
        "ticket_id": flag.ticket_id,
        "ticket_ref": flag.ticket.ref,
        "election_id": flag.election_id,
        "stage": flag.stage,
        "reason": flag.reason,
        "raised_at": iso_time(flag.raised_at),
        "cleared_at": iso_time(flag.cleared_at),
    }


@token_required
def list_hotspots():
    """The riskiest villages in the caller's area, highest score first."""
    errors = {}
    limit = bounded_arg(errors, "limit", default=HOTSPOTS_DEFAULT, maximum=HOTSPOTS_MAX,
                        message=_("A whole number from 1 to %(n)d.", n=HOTSPOTS_MAX))
    if errors:
        raise ValidationError(errors)
    rows = hotspots(current_api_user(), limit=limit)
    return jsonify({"items": [{key: row[key] for key in HOTSPOT_KEYS} for row in rows]})


@token_required
def list_flags():
    """Flags on tickets the caller may see, newest first; ``active`` and ``village_code`` filter."""
    errors = {}
    active = parse_bool(errors, "active", request.args.get("active"))
    village_code = request.args.get("village_code", "").strip() or None
    if village_code:
        try:
            village_code = normalize(village_code)
        except CodeError:
            errors["village_code"] = [_("Not a region code.")]
    if errors:
        raise ValidationError(errors)
    return jsonify(paginate(flags_for_user(current_api_user(), active=active, village_code=village_code),
                            flag_json))


_ERRORS = {"401": {"$ref": "#/components/responses/Unauthorized"},
           "422": {"$ref": "#/components/responses/ValidationFailed"}}


def _json(name):
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


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
            "responses": {"200": {"description": "The hotspots.", "content": _json("HotspotList")}, **_ERRORS},
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
            "responses": {"200": {"description": "One page of flags.", "content": _json("FlagPage")}, **_ERRORS},
        },
    },
}

_TIME = {"type": "string", "format": "date-time", "description": "UTC, ISO 8601 with offset."}

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
            "raised_at": _TIME,
            "cleared_at": {**_TIME, "nullable": True, "description": "Null while the flag is active."},
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
