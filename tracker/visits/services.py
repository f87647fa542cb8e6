"""Recording Komsos visits, and reading them back (scoped)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload

from tracker import scope
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.geo.location import clean_location
from tracker.params import is_row_id
from tracker.regions.codes import WIB
from tracker.regions.models import Region
from tracker.tickets.models import Ticket
from tracker.tickets.services import create_ticket, ensure_in_scope
from tracker.validation import clean_text, find_village, parse_date
from tracker.timeutil import local_date, utcnow
from tracker.visits.models import Visit

MET_WITH_MAX = 200
NOTES_MAX = 10_000
MAX_TICKETS_PER_VISIT = 10


def record_visit(actor, *, village_code, visited_on, met_with="", notes="",
                 latitude=None, longitude=None, accuracy_m=None):
    """Record a visit by a Babinsa (or a commander) to a village in his area.

    ``latitude``, ``longitude`` and ``accuracy_m``: where it took place, all
    three or none (tracker.geo; empty strings are none).
    """
    errors = {}
    village = find_village(errors, "village_code", village_code)
    today = local_date(utcnow(), village.timezone if village else WIB)
    visited = parse_date(errors, "visited_on", visited_on, today=today, required=True)
    met_with = clean_text(errors, "met_with", met_with, maximum=MET_WITH_MAX)
    notes = clean_text(errors, "notes", notes, maximum=NOTES_MAX)
    location = clean_location(errors, latitude, longitude, accuracy_m)
    if errors:
        raise ValidationError(errors)
    ensure_in_scope(actor, village)
    latitude, longitude, accuracy_m = location or (None, None, None)
    visit = Visit(babinsa_id=actor.id, village_code=village.code, visited_on=visited,
                  met_with=met_with, notes=notes, latitude=latitude, longitude=longitude, accuracy_m=accuracy_m)
    db.session.add(visit)
    db.session.flush()
    return visit


def record_visit_with_tickets(actor, *, village_code, visited_on, met_with="", notes="",
                              latitude=None, longitude=None, accuracy_m=None, tickets=()):
    """Record a visit and the tickets raised in it: all of them or nothing.

    ``tickets`` holds create_ticket keyword arguments (``photos`` included)
    without village, visit and location: they come from the visit, so a
    ticket heard there has the visit's position. Every field is checked
    before the ValidationError is raised, so one answer lists every
    mistake; errors of the i-th ticket are named ``tickets-<i>-<field>``
    (``tickets-<i>-photos`` for its photos). A village outside the actor's
    area raises Forbidden. The caller rolls back on either error (rows
    already flushed go with it). Returns (visit, [tickets]).
    """
    tickets = list(tickets)
    if len(tickets) > MAX_TICKETS_PER_VISIT:
        raise ValidationError({"tickets": [_l("At most %(n)d tickets per visit.", n=MAX_TICKETS_PER_VISIT)]})
    errors = {}
    visit = None
    try:
        visit = record_visit(actor, village_code=village_code, visited_on=visited_on,
                             met_with=met_with, notes=notes, latitude=latitude, longitude=longitude,
                             accuracy_m=accuracy_m)
    except ValidationError as error:
        errors.update(error.errors)
    # The visit's position, checked by record_visit (none when it was refused: named once, for the visit).
    position = {"latitude": visit.latitude, "longitude": visit.longitude,
                "accuracy_m": visit.accuracy_m} if visit else {}
    created = []
    for index, fields in enumerate(tickets):
        try:
            created.append(create_ticket(actor, village_code=village_code,
                                         visit_id=visit.id if visit else None, **position, **fields))
        except ValidationError as error:
            for field, messages in error.errors.items():
                if field == "village_code":
                    errors.setdefault("village_code", messages)
                else:
                    errors[f"tickets-{index}-{field}"] = messages
    if errors:
        raise ValidationError(errors)
    return visit, created


def last_visits(user, codes=None):
    """{village_code: last visited_on} for the user's villages (one query).

    ``codes`` narrows it to some villages (a page of them), so a large
    area does not group every visit it ever had.
    """
    stmt = select(Visit.village_code, func.max(Visit.visited_on)) \
        .where(Visit.village_code.in_(scope.village_codes(user)))
    if codes is not None:
        stmt = stmt.where(Visit.village_code.in_(list(codes)))
    return dict(db.session.execute(stmt.group_by(Visit.village_code)).all())


def visible_visits(user):
    """A select of visits in the user's villages, newest first."""
    return select(Visit).where(Visit.village_code.in_(scope.village_codes(user))) \
        .order_by(Visit.visited_on.desc(), Visit.id.desc())


def get_visit(user, visit_id):
    """The visit if it is in the user's villages, with its village and Babinsa loaded; else None (404)."""
    if not is_row_id(visit_id):
        return None
    return db.session.execute(
        visible_visits(user).where(Visit.id == visit_id).options(joinedload(Visit.village), joinedload(Visit.babinsa))
    ).scalar_one_or_none()


def visit_tickets(user, visit):
    """The tickets raised in a visit that the user may see, in filing order, with their villages."""
    return db.session.execute(
        scope.tickets(user).where(Ticket.visit_id == visit.id).options(joinedload(Ticket.village)).order_by(Ticket.id)
    ).scalars().all()


def villages_by_district(user):
    """A select of the user's villages, by kecamatan name, then village name and code."""
    district = aliased(Region)
    return (
        scope.villages(user)
        .join(district, district.code == Region.district_code)
        .order_by(district.name, Region.name, Region.code)
    )


