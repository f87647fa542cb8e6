"""Recording Komsos visits."""
from sqlalchemy import func, select

from tracker import scope
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.tickets.services import ensure_in_scope
from tracker.validation import clean_text, find_village, parse_date
from tracker.timeutil import local_date, utcnow
from tracker.visits.models import Visit

MET_WITH_MAX = 200
NOTES_MAX = 10_000


def record_visit(actor, *, village_code, visited_on, met_with="", notes=""):
    """Record a visit by a Babinsa (or a commander) to a village in his area."""
    errors = {}
    village = find_village(errors, "village_code", village_code)
    today = local_date(utcnow(), village.timezone) if village else None
    visited = parse_date(errors, "visited_on", visited_on, today=today, required=True)
    met_with = clean_text(errors, "met_with", met_with, maximum=MET_WITH_MAX)
    notes = clean_text(errors, "notes", notes, maximum=NOTES_MAX)
    if errors:
        raise ValidationError(errors)
    ensure_in_scope(actor, village)
    visit = Visit(babinsa_id=actor.id, village_code=village.code, visited_on=visited,
                  met_with=met_with, notes=notes)
    db.session.add(visit)
    db.session.flush()
    return visit


def last_visits(user):
    """{village_code: last visited_on} for the user's villages (one query)."""
    rows = db.session.execute(
        select(Visit.village_code, func.max(Visit.visited_on))
        .where(Visit.village_code.in_(scope.village_codes(user)))
        .group_by(Visit.village_code)
    ).all()
    return dict(rows)


def visible_visits(user):
    """A select of visits in the user's villages, newest first."""
    return select(Visit).where(Visit.village_code.in_(scope.village_codes(user))) \
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
