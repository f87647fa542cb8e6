"""Elections over JSON: create, edit and remove (Kodim within its area, admin) and list, scoped."""
from flask import abort, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from tracker.api.common import current_api_user, json_body, paginate, token_required
from tracker.api.serializers import iso_date
from tracker.elections.models import Election
from tracker.elections.services import (
    KEEP, can_manage_elections, create_election, edit_election, elections_for_user, get_election, remove_election,
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
