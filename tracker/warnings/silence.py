"""Silent villages: the rule, the sweep's snapshot of them, and the scoped reader.

A village is silent when an active election window holds its local day and
nobody has visited it in the last ``SILENT_AFTER_DAYS`` local days
(``silent_conditions``). Testing that rule means looking at every village of
a scope: 83,762 of them for the national operator, about 0.6 s on SQLite,
too slow for a dashboard read on every page view.

So each sweep (every ``SWEEP_INTERVAL_MINUTES``) also writes the silent
villages it finds to ``silent_village``, and records when in
``silence_snapshot``. ``silent_villages`` reads those rows while they are
current and applies the rule itself otherwise. Current means:

* the snapshot is at most two sweep periods old (a dead scheduler leaves no
  stale list behind: the dashboard then pays for the live rule);
* no election, stage, election area or region changed since (such a change
  in the ORM removes the ``silence_snapshot`` row; so does any INSERT,
  UPDATE or DELETE sent on those tables or on visits, bypassing the ORM);
* a new visit is applied to its village's row in the same flush: a visit
  inside the silence period takes the village off the list at once, an
  older one moves its last-visit day.

What the snapshot can miss is time alone: a village that falls silent at
local midnight (its last visit ages out, or a window opens) shows from the
first sweep after it, at most one sweep period later. A moment before the
snapshot, or more than two periods after it, is answered by the rule; so
are the morning digests, which read every unit's villages in one batch.
"""
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import case, delete, event, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from tracker import scope
from tracker.elections.models import Election, ElectionArea, ElectionStage
from tracker.elections.queries import active_condition, local_day_expr
from tracker.extensions import db
from tracker.regions.codes import WIB
from tracker.regions.models import Region
from tracker.timeutil import as_utc, local_date, utcnow
from tracker.visits.models import Visit
from tracker.warnings.models import SilenceSnapshot, SilentVillage

# The order day of a never-visited village: before any visit.
NEVER = date(1900, 1, 1)
# Tables whose rows decide who is silent; a write on them the ORM did not describe drops the snapshot.
_DECIDING = {"election", "election_area", "election_stage", "region", "visit"}
_CALENDAR = (Election, ElectionArea, ElectionStage, Region)
# Execution option of a statement on those tables whose effect on the snapshot its caller applies.
KEPT = "silence_kept"


def silent_conditions(village, at):
    """The silent-village rule, as SQL conditions on a village (a Region row or alias) as of ``at``.

    A village is silent when an active election window holds its local day
    and it has had no visit in the last ``SILENT_AFTER_DAYS`` local days.
    The sweep's snapshot, the early-warning page, the dashboard's village
    page and the digests all apply this one rule.
    """
    days = current_app.config["SILENT_AFTER_DAYS"]
    today = local_day_expr(village.timezone, at)
    since = local_day_expr(village.timezone, at, -(days - 1))
    e = aliased(Election)
    return (
        village.level == 4,
        select(e.id).where(active_condition(e, village, at)).exists(),
        ~select(Visit.id).where(Visit.village_code == village.code, Visit.visited_on >= since,
                                Visit.visited_on <= today).exists(),
    )


def last_visit_expr(village, at):
    """SQL: the village's latest visit day up to its local day of ``at`` (NULL if never visited)."""
    return (
        select(func.max(Visit.visited_on))
        .where(Visit.village_code == village.code, Visit.visited_on <= local_day_expr(village.timezone, at))
        .scalar_subquery()
    )


def nearest_election_name(village, at, today):
    """SQL: the name of the active election in the village nearest to voting.

    Voting on or after ``today`` (a date) comes first, then the earliest
    voting day.
    """
    e = aliased(Election)
    return (
        select(e.name).where(active_condition(e, village, at))
        .order_by(case((e.voting_on >= today, 0), else_=1), e.voting_on, e.id)
        .limit(1).scalar_subquery()
    )


# --- the snapshot ------------------------------------------------------------------

def take_snapshot(session, at):
    """Replace the silent villages with those of ``at`` and mark them taken then; returns how many.

    Five statements: two DELETEs, one INSERT ... SELECT applying the rule
    to every village, the marker, and the count the sweep reports.
    """
    kept = {KEPT: True}
    session.execute(delete(SilenceSnapshot).execution_options(**kept))
    session.execute(delete(SilentVillage).execution_options(**kept))
    found = select(Region.code.label("code"), last_visit_expr(Region, at).label("last_visit_on")) \
        .where(*silent_conditions(Region, at)).subquery()
    session.execute(
        insert(SilentVillage).from_select(
            ["village_code", "last_visit_on", "order_day"],
            select(found.c.code, found.c.last_visit_on, func.coalesce(found.c.last_visit_on, NEVER)),
        ).execution_options(**kept)
    )
    session.execute(insert(SilenceSnapshot).values(taken_at=as_utc(at)).execution_options(**kept))
    # Counted, not the INSERT's rowcount: psycopg reports -1 for INSERT ... SELECT here.
    return session.execute(select(func.count()).select_from(SilentVillage)).scalar_one()


def snapshot_time(at=None):
    """When the snapshot that answers for the moment ``at`` (default now) was taken, or None.

    A snapshot answers for the two sweep periods after it was taken (see the
    module), never for a moment before it.
    """
    at = as_utc(at or utcnow())
    taken = db.session.execute(select(func.max(SilenceSnapshot.taken_at))).scalar_one_or_none()
    if taken is None:
        return None
    taken = as_utc(taken)
    period = timedelta(minutes=current_app.config["SWEEP_INTERVAL_MINUTES"])
    return taken if taken <= at <= taken + 2 * period else None


def drop_snapshot(session):
    """Forget the snapshot: readers apply the rule until the next sweep takes one."""
    session.execute(delete(SilenceSnapshot).execution_options(**{KEPT: True}))


def _apply_visits(session, visits):
    """Bring the new visits' villages up to date in the snapshot (one or two statements per village)."""
    days = current_app.config["SILENT_AFTER_DAYS"]
    latest = {}
    for visit in visits:
        if visit.village_code and visit.visited_on:
            latest[visit.village_code] = max(visit.visited_on, latest.get(visit.village_code, visit.visited_on))
    if not latest:
        return
    zones = dict(session.execute(select(Region.code, Region.timezone).where(Region.code.in_(sorted(latest)))).all())
    kept = {KEPT: True}
    for code, visited in sorted(latest.items()):
        today = local_date(utcnow(), zones.get(code, WIB))
        if visited > today - timedelta(days=days):
            session.execute(delete(SilentVillage).where(SilentVillage.village_code == code).execution_options(**kept))
        else:
            later = case((SilentVillage.last_visit_on >= visited, SilentVillage.last_visit_on), else_=visited)
            session.execute(
                update(SilentVillage).where(SilentVillage.village_code == code)
                .values(last_visit_on=later, order_day=later).execution_options(**kept)
            )


def _after_flush(session, _context):
    if any(isinstance(obj, _CALENDAR) for obj in (*session.new, *session.dirty, *session.deleted)) \
            or any(isinstance(obj, Visit) for obj in (*session.dirty, *session.deleted)):
        with session.no_autoflush:
            drop_snapshot(session)
        return
    visits = [obj for obj in session.new if isinstance(obj, Visit)]
    if visits:
        with session.no_autoflush:
            _apply_visits(session, visits)


def _watch_statements(state):
    if state.is_select or state.execution_options.get(KEPT):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _DECIDING:
        drop_snapshot(state.session)


def listen():
    """Connect the ORM listeners (once; connecting again changes nothing)."""
    for name, handler in (("after_flush", _after_flush), ("do_orm_execute", _watch_statements)):
        if not event.contains(Session, name, handler):
            event.listen(Session, name, handler)


# --- reading -----------------------------------------------------------------------

def silent_villages(user, at=None, limit=None, *, snapshot=True):
    """Villages in the user's area inside an active window with no recent visit.

    Dicts with village_code, village_name, district_name, last_visit_on
    (None if never visited), days_silent (None if never) and election_name
    (the active election nearest to voting). Never-visited and longest-silent
    first; one query after the snapshot check. The villages come from the
    sweep's snapshot when one answers for ``at`` (default now; see the
    module and ``snapshot_time``), else, or with ``snapshot=False``, from
    the rule; names and the election are looked up for the ``limit``
    chosen ones only.
    """
    at = as_utc(at or utcnow())
    taken = snapshot_time(at) if snapshot else None
    if taken is not None:
        # Joined to the user's villages (not IN a list of them): the national operator's list
        # walks the snapshot's order index and stops after ``limit`` rows.
        chosen = (
            scope.villages(user)
            .with_only_columns(SilentVillage.village_code.label("code"), SilentVillage.last_visit_on,
                               maintain_column_froms=True)
            .join(SilentVillage, SilentVillage.village_code == Region.code)
            .order_by(SilentVillage.order_day, SilentVillage.village_code)
        )
    else:
        v = aliased(Region)
        last_visit = last_visit_expr(v, at).label("last_visit_on")
        chosen = (
            select(v.code, last_visit)
            .where(*silent_conditions(v, at), v.code.in_(scope.village_codes(user)))
            .order_by(last_visit.asc().nulls_first(), v.code)
        )
    if limit:
        chosen = chosen.limit(limit)
    chosen = chosen.subquery()
    village, d = aliased(Region), aliased(Region)
    # Upcoming voting first, judged on the WIB day: SQLite cannot order a
    # correlated scalar subquery by the outer row's own local day.
    election_name = nearest_election_name(village, at, local_date(at, WIB))
    rows = db.session.execute(
        select(village.code, village.name, village.timezone, d.name, chosen.c.last_visit_on, election_name)
        .select_from(chosen).join(village, village.code == chosen.c.code)
        .outerjoin(d, d.code == village.district_code)
        .order_by(chosen.c.last_visit_on.asc().nulls_first(), village.code)
    ).all()
    return [
        {
            "village_code": code, "village_name": name, "district_name": district,
            "last_visit_on": last, "days_silent": (local_date(at, tz) - last).days if last else None,
            "election_name": election,
        }
        for code, name, tz, district, last, election in rows
    ]
