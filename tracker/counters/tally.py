"""Keeping the counters exact, in the transaction that changes a ticket or a flag.

A ticket counts once in its village's ``ticket_tally`` cell and once in the
nation's, as flagged there while it carries an active flag, and once or
twice in ``ticket_day_tally`` (the WIB day it was reported; the day it was
resolved while resolved or closed), and while unresolved in its village's
``village_open`` row (by severity; flagged too while flagged). Every change is applied as the
difference between a ticket's state before and after it:

* ORM changes (creating, transitions, reclassifying, deleting tickets;
  flags added, cleared or deleted as objects): ``before_flush`` reads the
  touched tickets' states from the database (still the old ones),
  ``after_flush`` reads them again and adds the difference to the counter
  rows (one upsert per table), inside the flush's own transaction or
  savepoint, so a rollback takes the counters back with the tickets.
* The sweep's set-based writes call ``moving_tickets`` (escalations),
  ``flags_raised`` and ``flags_cleared`` and mark their statements ``KEPT``.
* Any other INSERT, UPDATE or DELETE on the ticket or flag table sent
  through the session (an ORM bulk insert, a data fix) marks the session
  stale: the counters are rebuilt in that transaction before the next
  counter read or the commit, so they are never wrong, only slower to keep.
* Writes that bypass the session (the benchmark's bulk loader) rebuild
  afterwards (``rebuild``).
"""
import logging
from collections import Counter, defaultdict

from sqlalchemy import Date, case, cast, delete, event, exists, func, inspect, literal, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker.counters.models import NATION, NEW, RESOLVED, TicketDayTally, TicketTally, VillageOpen
from tracker.database import is_postgres
from tracker.extensions import db
from tracker.regions.codes import WIB
from tracker.tickets.models import UNRESOLVED, Ticket
from tracker.timeutil import local_date
from tracker.warnings.models import Flag

log = logging.getLogger(__name__)

FINISHED = ("resolved", "closed")
# village_open's count columns: one per severity, then the flagged ones.
OPEN_COUNTS = ("low", "medium", "high", "critical", "flagged")
# Execution option of a statement on the ticket or flag table whose counter changes its caller applies.
KEPT = "counters_kept"
# The ticket columns a counter cell depends on.
TICKET_FIELDS = ("village_code", "district_code", "regency_code", "status", "severity", "category", "level",
                 "reported_at", "resolved_at")
CELL = ("village_code", "district_code", "regency_code", "status", "severity", "category", "level")
_WATCHED_TABLES = {"ticket", "flag"}
_BEFORE = "waspada.counters.before"
_STALE = "waspada.counters.stale"
# Ids per IN list (SQLite allows 32,766 parameters).
CHUNK = 5_000


def _active_flag(ticket=Ticket):
    return exists().where(Flag.ticket_id == ticket.id, Flag.cleared_at.is_(None))


def _cell_columns():
    return tuple(getattr(Ticket, name) for name in CELL)


def ticket_states(session, ids):
    """{ticket id: (cell..., reported_at, resolved_at, is_flagged)} as the database holds them now."""
    found = {}
    ids = sorted(ids)
    columns = (Ticket.id, *_cell_columns(), Ticket.reported_at, Ticket.resolved_at, _active_flag())
    for start in range(0, len(ids), CHUNK):
        for row in session.execute(select(*columns).where(Ticket.id.in_(ids[start:start + CHUNK]))):
            found[row[0]] = tuple(row[1:])
    return found


class Changes:
    """Differences to add to the counter rows: ``tally[cell] = [tickets, flagged]``, ``days[(day, event, severity)]``."""

    def __init__(self):
        self.tally = defaultdict(lambda: [0, 0])
        self.days = Counter()
        # (village, district, regency) -> Counter over OPEN_COUNTS
        self.villages = defaultdict(Counter)

    def add_cell(self, cell, tickets, flagged):
        """Count into a village's cell and the nation's."""
        national = (NATION, NATION, NATION, *cell[3:])
        for key in (tuple(cell), national):
            entry = self.tally[key]
            entry[0] += tickets
            entry[1] += flagged
        if cell[3] in UNRESOLVED:
            counts = self.villages[tuple(cell[:3])]
            counts[cell[4]] += tickets
            counts["flagged"] += flagged

    def add_state(self, state, sign):
        """Count one ticket's state in (+1) or out (-1)."""
        *cell, reported_at, resolved_at, flagged = state
        self.add_cell(cell, sign, sign if flagged else 0)
        severity, status = cell[4], cell[3]
        self.days[(local_date(reported_at, WIB), NEW, severity)] += sign
        if status in FINISHED and resolved_at is not None:
            self.days[(local_date(resolved_at, WIB), RESOLVED, severity)] += sign

    def apply(self, session):
        """Add the differences to the counter rows: one upsert per table, cells in key order (no deadlock)."""
        tally = sorted((key, value) for key, value in self.tally.items() if value != [0, 0])
        days = sorted((key, value) for key, value in self.days.items() if value)
        connection = session.connection()
        if tally:
            connection.execute(_upsert(session, TicketTally, ("village_code", "status", "severity", "category",
                                                              "level"), ("tickets", "flagged")), [
                {**dict(zip(CELL, key)), "tickets": tickets, "flagged": flagged}
                for key, (tickets, flagged) in tally
            ])
        if days:
            connection.execute(_upsert(session, TicketDayTally, ("day", "event", "severity"), ("tickets",)), [
                {"day": day, "event": kind, "severity": severity, "tickets": number}
                for (day, kind, severity), number in days
            ])
        villages = sorted((key, counts) for key, counts in self.villages.items() if any(counts.values()))
        if villages:
            connection.execute(_upsert(session, VillageOpen, ("village_code",), OPEN_COUNTS), [
                {"village_code": village, "district_code": district, "regency_code": regency,
                 **{name: counts[name] for name in OPEN_COUNTS}}
                for (village, district, regency), counts in villages
            ])


def _upsert(session, model, keys, counted):
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET counted = counted + the inserted value."""
    table = model.__table__
    stmt = (postgresql.insert if is_postgres(session) else sqlite.insert)(table)
    return stmt.on_conflict_do_update(
        index_elements=list(keys), set_={name: table.c[name] + stmt.excluded[name] for name in counted},
    )


def apply_states(session, old, new):
    """Add the difference between two ``ticket_states`` answers to the counters."""
    changes = Changes()
    for state in old.values():
        changes.add_state(state, -1)
    for state in new.values():
        changes.add_state(state, +1)
    changes.apply(session)


# --- ORM changes ------------------------------------------------------------------------

def _flag_ticket_ids(flag):
    ids = set(inspect(flag).attrs.ticket_id.history.sum())
    if flag.ticket_id is None and "ticket" in inspect(flag).dict and flag.ticket is not None:
        ids.add(flag.ticket.id)
    return ids


def _ticket_changed(ticket):
    attrs = inspect(ticket).attrs
    return any(attrs[name].history.has_changes() for name in TICKET_FIELDS)


def _touched_ticket_ids(session):
    """Existing tickets whose counter cells this flush may change."""
    ids = set()
    for obj in session.new:
        if isinstance(obj, Flag):
            ids |= _flag_ticket_ids(obj)
    for obj in session.dirty:
        if isinstance(obj, Ticket) and _ticket_changed(obj):
            ids.add(obj.id)
        elif isinstance(obj, Flag):
            ids |= _flag_ticket_ids(obj)
    for obj in session.deleted:
        if isinstance(obj, Ticket):
            ids.add(obj.id)
        elif isinstance(obj, Flag):
            ids |= _flag_ticket_ids(obj)
    ids.discard(None)
    return ids


def _before_flush(session, _context, _instances):
    """Read the old states of the tickets this flush touches (the database still holds them)."""
    ids = _touched_ticket_ids(session)
    if ids:
        with session.no_autoflush:
            session.info[_BEFORE] = (ids, ticket_states(session, ids))
    else:
        session.info.pop(_BEFORE, None)


def _after_flush(session, _context):
    """Add the difference between the touched tickets' new and old states to the counters."""
    before_ids, old = session.info.pop(_BEFORE, (set(), {}))
    created = {obj.id for obj in session.new if isinstance(obj, Ticket)}
    flagged = {obj.ticket_id for obj in session.new if isinstance(obj, Flag)} - {None}
    if flagged - before_ids - created:
        # A flag on an existing ticket whose old state was not read: recount rather than guess.
        mark_stale(session, "a flag on a ticket the flush did not announce")
    ids = before_ids | created | flagged
    if ids:
        apply_states(session, old, ticket_states(session, ids))


def _watch_statements(state):
    """An INSERT, UPDATE or DELETE on tickets or flags that nobody accounts for makes the counters stale."""
    if state.is_select or state.execution_options.get(KEPT):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _WATCHED_TABLES:
        mark_stale(state.session, f"{type(state.statement).__name__.lower()} on {table.name}")


def _before_commit(session):
    ensure_fresh(session)


def _after_rollback(session):
    session.info.pop(_STALE, None)
    session.info.pop(_BEFORE, None)


def mark_stale(session, why):
    """The counters of this transaction cannot be followed: rebuild them before they are read or committed."""
    session.info[_STALE] = why


def ensure_fresh(session=None):
    """Rebuild the counters if a write this transaction made left them behind (see ``mark_stale``)."""
    session = session or db.session
    why = session.info.get(_STALE)
    if why is None:
        return
    session.flush()
    session.info.pop(_STALE, None)
    log.info("counters rebuilt in the transaction after %s", why)
    rebuild(session)


def listen():
    """Connect the ORM listeners (once; connecting again changes nothing)."""
    for name, handler in (("before_flush", _before_flush), ("after_flush", _after_flush),
                          ("do_orm_execute", _watch_statements), ("before_commit", _before_commit),
                          ("after_rollback", _after_rollback)):
        if not event.contains(Session, name, handler):
            event.listen(Session, name, handler)


# --- set-based writes ---------------------------------------------------------------------

def moving_tickets(session, ids_select, **values):
    """Before a set-based UPDATE that sets ``values`` (status, level) on the tickets ``ids_select`` names.

    Counts them per cell (one grouped SELECT) and applies the move: out of
    their cells, into the same cells with ``values``. Only for moves
    between unresolved statuses (the sweep's escalation): the days a ticket
    counts in do not change, nor does whether it is flagged.
    """
    assert set(values) <= {"status", "level"} and values.get("status") not in FINISHED
    changes = Changes()
    rows = session.execute(
        select(*_cell_columns(), func.count(), func.sum(case((_active_flag(), 1), else_=0)))
        .where(Ticket.id.in_(ids_select)).group_by(*_cell_columns())
    )
    for *cell, number, flagged in rows:
        changes.add_cell(cell, -number, -int(flagged))
        moved = dict(zip(CELL, cell), **values)
        changes.add_cell([moved[name] for name in CELL], number, int(flagged))
    changes.apply(session)


def add_flagged(session, condition, sign):
    """Add ``sign`` to the flagged count of the tickets ``condition`` selects, set-based.

    Three UPDATE ... FROM statements, each grouping those tickets itself:
    their villages' cells, the nation's cells, and (unresolved ones) their
    villages' open rows. Every ticket is already counted in these rows, so
    no row needs inserting; the database does the sums, nothing comes back
    to Python (the sweep's first national pass newly flags 180,000 tickets
    in 86,000 cells).
    """
    kinds = (Ticket.status, Ticket.severity, Ticket.category, Ticket.level)

    def same_kinds(group):
        return [getattr(TicketTally, column.key) == group.c[column.key] for column in kinds]

    villages = select(Ticket.village_code, *kinds, func.count().label("n")).where(condition) \
        .group_by(Ticket.village_code, *kinds).subquery()
    nation = select(*kinds, func.count().label("n")).where(condition).group_by(*kinds).subquery()
    open_rows = select(Ticket.village_code, func.count().label("n")) \
        .where(condition, Ticket.status.in_(UNRESOLVED)).group_by(Ticket.village_code).subquery()
    session.execute(
        update(TicketTally).values(flagged=TicketTally.flagged + sign * villages.c.n)
        .where(TicketTally.village_code == villages.c.village_code, *same_kinds(villages))
    )
    session.execute(
        update(TicketTally).values(flagged=TicketTally.flagged + sign * nation.c.n)
        .where(TicketTally.village_code == NATION, *same_kinds(nation))
    )
    session.execute(
        update(VillageOpen).values(flagged=VillageOpen.flagged + sign * open_rows.c.n)
        .where(VillageOpen.village_code == open_rows.c.village_code)
    )


def flags_raised(session, before_flag_id):
    """After the sweep inserted active flags with ids above ``before_flag_id``: count the tickets they newly flag."""
    newer = select(Flag.ticket_id).where(Flag.id > before_flag_id)
    older = exists().where(Flag.ticket_id == Ticket.id, Flag.cleared_at.is_(None), Flag.id <= before_flag_id)
    add_flagged(session, Ticket.id.in_(newer) & ~older, +1)


def flags_cleared(session, ticket_ids):
    """After flags of these tickets were cleared: the tickets left without an active flag are no longer flagged."""
    ids = sorted(set(ticket_ids))
    for start in range(0, len(ids), CHUNK):
        add_flagged(session, Ticket.id.in_(ids[start:start + CHUNK]) & ~_active_flag(), -1)


# --- recount ------------------------------------------------------------------------------

def _wib_day(session, column):
    """SQL: the WIB date of a stored UTC timestamp (WIB is UTC+7 all year)."""
    if is_postgres(session):
        return cast(func.timezone(WIB, column), Date)
    return func.date(column, "+7 hours")


def _village_open_select():
    """village_open's rows as a SELECT over the unresolved tickets (columns in VillageOpen's order)."""
    flagged = func.sum(case((_active_flag(), 1), else_=0))
    places = (Ticket.village_code, Ticket.district_code, Ticket.regency_code)
    by_severity = [func.sum(case((Ticket.severity == name, 1), else_=0)) for name in OPEN_COUNTS[:-1]]
    return select(*places, *by_severity, flagged).where(Ticket.status.in_(UNRESOLVED)).group_by(*places)


def _recount_selects(session):
    """(village cells, national cells, new per day, resolved per day) as SELECTs over the tickets."""
    flagged = func.sum(case((_active_flag(), 1), else_=0))
    villages = select(*_cell_columns(), func.count(), flagged).group_by(*_cell_columns())
    kinds = (Ticket.status, Ticket.severity, Ticket.category, Ticket.level)
    nation = select(*kinds, func.count(), flagged).group_by(*kinds)
    reported = _wib_day(session, Ticket.reported_at)
    resolved = _wib_day(session, Ticket.resolved_at)
    new = select(reported, Ticket.severity, func.count()).group_by(reported, Ticket.severity)
    done = (select(resolved, Ticket.severity, func.count())
            .where(Ticket.status.in_(FINISHED), Ticket.resolved_at.is_not(None))
            .group_by(resolved, Ticket.severity))
    return villages, nation, new, done


def recount(session=None):
    """The counters a full recount of the tickets gives.

    ``({cell: (tickets, flagged)}, {(day, event, severity): n}, {(village, district, regency): OPEN_COUNTS})``.
    """
    session = session or db.session
    villages, nation, new, done = _recount_selects(session)
    tally = {}
    for *cell, number, flagged in session.execute(villages):
        tally[tuple(cell)] = (number, int(flagged or 0))
    for *kinds, number, flagged in session.execute(nation):
        tally[(NATION, NATION, NATION, *kinds)] = (number, int(flagged or 0))
    days = {}
    for kind, stmt in ((NEW, new), (RESOLVED, done)):
        for day, severity, number in session.execute(stmt):
            days[(str(day), kind, severity)] = number
    villages = {tuple(row[:3]): tuple(int(n or 0) for n in row[3:]) for row in session.execute(_village_open_select())}
    return tally, days, villages


def stored(session=None):
    """The counters as stored, zero rows left out, keyed as ``recount`` keys them."""
    session = session or db.session
    tally = {
        tuple(row[:-2]): (row[-2], row[-1])
        for row in session.execute(select(*(getattr(TicketTally, n) for n in CELL), TicketTally.tickets,
                                          TicketTally.flagged))
        if (row[-2], row[-1]) != (0, 0)
    }
    days = {
        (str(day), kind, severity): number
        for day, kind, severity, number in session.execute(
            select(TicketDayTally.day, TicketDayTally.event, TicketDayTally.severity, TicketDayTally.tickets))
        if number
    }
    columns = [getattr(VillageOpen, name) for name in ("village_code", "district_code", "regency_code", *OPEN_COUNTS)]
    villages = {tuple(row[:3]): tuple(row[3:]) for row in session.execute(select(*columns)) if any(row[3:])}
    return tally, days, villages


def drift(session=None):
    """Cells whose stored count differs from a full recount: [(table, key, stored, recounted)], sorted."""
    session = session or db.session
    session.flush()
    ensure_fresh(session)
    have_tally, have_days, have_villages = stored(session)
    want_tally, want_days, want_villages = recount(session)
    found = []
    for table, have, want, zero in (("ticket_tally", have_tally, want_tally, (0, 0)),
                                    ("ticket_day_tally", have_days, want_days, 0),
                                    ("village_open", have_villages, want_villages, (0,) * len(OPEN_COUNTS))):
        for key in sorted(set(have) | set(want), key=lambda k: tuple(map(str, k))):
            if have.get(key, zero) != want.get(key, zero):
                found.append((table, key, have.get(key, zero), want.get(key, zero)))
    return found


def rebuild(session=None):
    """Recount every counter from the tickets and flags, in the caller's transaction; returns the rows written.

    On PostgreSQL the counter tables are locked first, so a ticket changed
    meanwhile waits for the new rows and then adds its difference to them.
    """
    session = session or db.session
    session.info.pop(_STALE, None)
    if is_postgres(session):
        session.execute(text("LOCK TABLE ticket_tally, ticket_day_tally, village_open IN EXCLUSIVE MODE"))
    connection = session.connection()
    connection.execute(delete(TicketTally.__table__))
    connection.execute(delete(TicketDayTally.__table__))
    connection.execute(delete(VillageOpen.__table__))
    village_open = VillageOpen.__table__
    connection.execute(village_open.insert().from_select(
        [village_open.c[name] for name in ("village_code", "district_code", "regency_code", *OPEN_COUNTS)],
        _village_open_select()))
    villages, nation, new, done = _recount_selects(session)
    tally = TicketTally.__table__
    columns = [tally.c[name] for name in CELL] + [tally.c.tickets, tally.c.flagged]
    connection.execute(tally.insert().from_select(columns, villages))
    national = nation.with_only_columns(literal(NATION), literal(NATION), literal(NATION),
                                        *nation.selected_columns)
    connection.execute(tally.insert().from_select(columns, national))
    day_table = TicketDayTally.__table__
    day_columns = [day_table.c.day, day_table.c.event, day_table.c.severity, day_table.c.tickets]
    for kind, stmt in ((NEW, new), (RESOLVED, done)):
        day, severity, number = stmt.selected_columns
        connection.execute(day_table.insert().from_select(
            day_columns, stmt.with_only_columns(day, literal(kind), severity, number)))
    session.expire_all()
    return sum(session.execute(select(func.count()).select_from(table)).scalar_one()
               for table in (tally, day_table, village_open))
