"""Early-warning pages: hotspots and active flags, silent villages; flag helpers for ticket pages."""
from flask import render_template, request
from flask_login import current_user, login_required

from tracker.elections.services import STAGE_LABELS, get_election
from tracker.pagination import paginate
from tracker.params import page_arg, row_id
from tracker.regions.codes import CodeError, normalize
from tracker.warnings.flags import clear_text
from tracker.warnings.services import flags_for_user, hotspots, reason_text, ticket_flags
from tracker.warnings.silence import silent_villages


HOTSPOTS_SHOWN = 20
SILENT_SHOWN = 500


def flag_helpers():
    """What ``warnings/_ticket_flags.html`` needs, for any page that includes it."""
    return {
        "ticket_flags": ticket_flags, "flag_reason_text": reason_text, "flag_clear_text": clear_text,
        "flag_stage_label": lambda stage: STAGE_LABELS.get(stage, stage),
    }


@login_required
def index():
    """Hotspots and the active flags in the user's area (optionally one village, or one election's)."""
    village_code = request.args.get("village_code", "").strip()
    try:
        village_code = normalize(village_code) if village_code else ""
    except CodeError:
        village_code = ""
    # An election the user cannot see filters nothing, as a malformed village code.
    election_id = row_id(request.args.get("election", "").strip())
    election = get_election(current_user, election_id) if election_id is not None else None
    flags = paginate(flags_for_user(current_user, active=True, village_code=village_code or None,
                                    election_id=election.id if election else None),
                     page=page_arg(), per_page=25)
    return render_template(
        "warnings/index.html", hotspots=hotspots(current_user, limit=HOTSPOTS_SHOWN), flags=flags,
        village_code=village_code, election=election, stage_labels=STAGE_LABELS, reason_text=reason_text,
    )


@login_required
def silent():
    """Villages inside an active election window that no one has visited lately."""
    rows = silent_villages(current_user, limit=SILENT_SHOWN + 1)
    return render_template("warnings/silent.html", villages=rows[:SILENT_SHOWN],
                           more=len(rows) > SILENT_SHOWN, shown=SILENT_SHOWN)
