"""The one scope helper: what a user may see, as SQL.

Every read path (lists, detail, search, counts, exports, API, dashboards,
digests) builds on these functions, so a rule changes in one place.

The codes a user covers (his unit's kabupaten or kecamatan, a Babinsa's
villages) are read first and compared as values: ``regency_code = '33.13'``
lets the database walk ``ix_ticket_regency_reported`` in order, where
``IN (SELECT ...)`` made it fetch and sort every ticket of the unit. The
codes are kept in the database session (one request, one job run) and
dropped whenever that session writes, commits or rolls back; across
requests they are kept per process at the user's ``auth_stamp``, which
every change of his role, unit, villages or his unit's regions renews and
every request reads (``tracker.auth.cache``), so a reassigned user sees
his new area on his next request.
"""
from sqlalchemy import and_, event, false, or_, select, true
from sqlalchemy.orm import Session

from tracker.auth import cache as auth_cache
from tracker.auth.models import BabinsaVillage
from tracker.extensions import db
from tracker.regions.models import Region
from tracker.tickets.models import Ticket
from tracker.units.models import UnitRegion

# Which column of a region / ticket carries the code a unit covers.
_REGION_COLUMN = {"kodim": "regency_code", "koramil": "district_code"}
# The same, public, for set-based readers over many units (the digests).
UNIT_AREA_COLUMN = dict(_REGION_COLUMN)


_CACHE_KEY = "waspada.scope"


def _cached_codes(user, kind, key, stmt):
    """The codes the select ``stmt()`` builds, read once per session until it writes.

    Before reading them, the per-process cache of ``tracker.auth.cache``
    is asked for the user's codes of ``kind`` at his current ``auth_stamp``
    (which every change of his area renews), and what is read is kept there.
    """
    session = db.session()
    cache = session.info.setdefault(_CACHE_KEY, {})
    if key not in cache:
        codes = auth_cache.area_codes(session, user, kind)
        if codes is None:
            codes = tuple(sorted(session.execute(stmt()).scalars()))
            auth_cache.keep_area_codes(session, user, kind, codes)
        cache[key] = codes
    return cache[key]


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session, *_context):
    """Any write, commit or rollback may change a unit's regions or a Babinsa's villages."""
    session.info.pop(_CACHE_KEY, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_on_write(state):
    if not state.is_select:
        _forget(state.session)


def _covered_codes(user):
    """Codes of the regions the user's unit covers (kabupaten or kecamatan)."""
    return _cached_codes(user, "unit", ("unit", user.unit_id),
                         lambda: select(UnitRegion.region_code).where(UnitRegion.unit_id == user.unit_id))


def _assigned_villages(user):
    return _cached_codes(user, "babinsa", ("babinsa", user.id),
                         lambda: select(BabinsaVillage.village_code).where(BabinsaVillage.user_id == user.id))


def _matches(column, codes):
    if not codes:
        return false()
    return column == codes[0] if len(codes) == 1 else column.in_(codes)


def _area_condition(user, row):
    """A condition on ``row`` (Region or Ticket) true inside the user's area.

    ``row`` must carry ``regency_code`` and ``district_code`` and a village
    code in ``village_column``.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return false()
    if user.role == "admin":
        return true()
    if user.role in _REGION_COLUMN:
        if user.unit_id is None:
            return false()
        return _matches(getattr(row, _REGION_COLUMN[user.role]), _covered_codes(user))
    if user.role == "babinsa":
        return _matches(_village_column(row), _assigned_villages(user))
    return false()


def _village_column(row):
    return row.code if row is Region else row.village_code


def village_codes(user):
    """A subquery of the village codes the user may see."""
    return (
        select(Region.code)
        .where(Region.level == 4, _area_condition(user, Region))
        .scalar_subquery()
    )


def villages(user):
    """A select of the Region rows (villages) the user may see."""
    return select(Region).where(Region.level == 4, _area_condition(user, Region))


def can_see_village(user, code):
    """True if the village is inside the user's area (a query)."""
    stmt = select(Region.code).where(Region.code == code, Region.level == 4, _area_condition(user, Region))
    return db.session.execute(stmt).first() is not None


def ticket_condition(user, ticket_model=Ticket):
    """The condition a ticket row (the model or an alias) must meet to be visible to the user.

    Sensitive tickets are need-to-know: a Babinsa sees them only when he
    reported them; the chain of command above sees them in its area.
    """
    area = _area_condition(user, ticket_model)
    if user is not None and getattr(user, "role", None) == "babinsa":
        return and_(area, or_(ticket_model.is_sensitive.is_(False), ticket_model.reporter_id == user.id))
    return area


def tickets(user):
    """A select of the Ticket rows the user may see; add filters and order to it."""
    return select(Ticket).where(ticket_condition(user, Ticket))


def units_covering(role, unit_ids, row):
    """Join condition: ``unit_region`` rows of the given units whose area holds ``row``.

    The set-based form of the Koramil/Kodim rule above, for a reader that
    answers many units in one statement (the morning digests join
    ``unit_region`` on it and group by unit). ``row`` is anything with
    ``district_code`` and ``regency_code``: Ticket, Region, or CTE columns.
    Koramil and Kodim users see sensitive tickets of their area, so no
    further condition applies to them.
    """
    return and_(UnitRegion.region_code == getattr(row, _REGION_COLUMN[role]), UnitRegion.unit_id.in_(unit_ids))
