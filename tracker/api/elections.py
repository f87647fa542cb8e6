"""Elections over JSON: create, edit and remove (Kodim within its area, admin) and list, scoped."""
from flask import abort, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from tracker.api.common import current_api_user, json_body, paginate, token_required
from tracker.api.serializers import iso_date
from tracker.elections.models import ELECTION_KINDS, STAGES, Election
from tracker.elections.services import (
    KEEP, NAME_MAX, can_manage_elections, create_election, edit_election, elections_for_user, get_election,
    remove_election,
)
from tracker.errors import Forbidden, ValidationError
from tracker.extensions import db
from tracker.validation import parse_bool


def election_json(election):
    """An election with its window and stages (local dates)."""
    return {
        "id": election.id,
        "kind": election.kind,
        "name": election.name,
        "voting_on": iso_date(election.voting_on),
        "window_start": iso_date(election.window_start),
        "window_end": iso_date(election.window_end),
        "stages": [{"name": s.name, "starts_on": iso_date(s.starts_on), "ends_on": iso_date(s.ends_on)}
                   for s in election.stages],
    }


@token_required
def create_election_view():
    """Create an election; 201 with it, 403 for other roles or outside a Kodim's area, 422 on bad input."""
    _require_manager()
    data = json_body()
    election = create_election(
        current_api_user(), kind=data.get("kind"), name=data.get("name"), voting_on=data.get("voting_on"),
        scope=data.get("scope"), stages=data.get("stages"),
    )
    db.session.commit()
    answer = jsonify(election_json(election))
    answer.headers["Location"] = url_for("api.election_detail", election_id=election.id)
    return answer, 201


@token_required
def list_elections():
    """The elections touching the caller's villages; ``active=true`` keeps those under way today."""
    errors = {}
    active = parse_bool(errors, "active", request.args.get("active"))
    if errors:
        raise ValidationError(errors)
    stmt = elections_for_user(current_api_user(), active=active).options(selectinload(Election.stages))
    return jsonify(paginate(stmt, election_json))


@token_required
def election_detail(election_id):
    """One election touching the caller's villages (404 otherwise)."""
    return jsonify(election_json(_visible_election(election_id)))


def _require_manager():
    """403 before the body is read: a role that never manages elections gets no 422 about it."""
    if not can_manage_elections(current_api_user()):
        raise Forbidden(_("Only Kodim and administrators manage elections."))


def _visible_election(election_id):
    """The election if it touches the caller's villages, else abort with 404."""
    election = get_election(current_api_user(), election_id)
    if election is None:
        abort(404)
    return election


@token_required
def edit_election_view(election_id):
    """Change an election; the body holds any of POST's fields. 200 with it, 403/404/422."""
    election = _visible_election(election_id)
    _require_manager()
    data = json_body()
    fields = {key: data[key] if key in data else KEEP
              for key in ("kind", "name", "voting_on", "scope", "stages")}
    edit_election(current_api_user(), election, **fields)
    db.session.commit()
    return jsonify(election_json(election))


@token_required
def remove_election_view(election_id):
    """Remove an election after clearing its active flags; 204, 403/404."""
    remove_election(current_api_user(), _visible_election(election_id))
    db.session.commit()
    return "", 204


_ERRORS = {code: {"$ref": f"#/components/responses/{name}"} for code, name in (
    ("401", "Unauthorized"), ("403", "Forbidden"), ("404", "NotFound"), ("422", "ValidationFailed"))}
_ELECTION = {"application/json": {"schema": {"$ref": "#/components/schemas/Election"}}}

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
                "200": {"description": "One page of elections.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ElectionPage"}}}},
                "401": _ERRORS["401"], "422": _ERRORS["422"],
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
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ElectionInput"}}}},
            "responses": {
                "201": {"description": "The new election.", "content": _ELECTION,
                        "headers": {"Location": {"description": "The election's URL.", "schema": {"type": "string"}}}},
                "401": _ERRORS["401"], "403": _ERRORS["403"], "422": _ERRORS["422"],
            },
        },
    },
    "/elections/{election_id}": {
        "parameters": [{"name": "election_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "get": {
            "tags": ["elections"], "operationId": "getElection", "summary": "One election",
            "responses": {"200": {"description": "The election.", "content": _ELECTION},
                          "401": _ERRORS["401"], "404": _ERRORS["404"]},
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
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ElectionChanges"}}}},
            "responses": {"200": {"description": "The changed election.", "content": _ELECTION},
                          "401": _ERRORS["401"], "403": _ERRORS["403"], "404": _ERRORS["404"],
                          "422": _ERRORS["422"]},
        },
        "delete": {
            "tags": ["elections"], "operationId": "removeElection",
            "summary": "Remove an election (Kodim within its own kabupaten, admin anywhere)",
            "description": "Its active early-warning flags are cleared first, each with a flag_cleared line "
                           "in its ticket's timeline; the election then disappears from lists, the sweep, "
                           "dashboards and digests, while cleared flags keep naming it.",
            "responses": {"204": {"description": "Removed."},
                          "401": _ERRORS["401"], "403": _ERRORS["403"], "404": _ERRORS["404"]},
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
