"""Early warning over JSON: hotspots and flags, scoped to the caller."""
from flask import jsonify, request
from flask_babel import gettext as _

from tracker.api.common import current_api_user, paginate, token_required
from tracker.api.serializers import iso_time
from tracker.errors import ValidationError
from tracker.params import bounded_arg
from tracker.regions.codes import CodeError, normalize
from tracker.validation import parse_bool
from tracker.warnings.services import flags_for_user, hotspots

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
