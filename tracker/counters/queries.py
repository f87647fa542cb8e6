"""Reading the counters: a scope's cells, the national flow per day, and a list's total.

Every reader first makes sure this transaction's counters are current
(``tally.ensure_fresh``), and a user's cells go through the scope helper,
as every read path does.
"""
from sqlalchemy import Table, func, select
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import AsBoolean, BinaryExpression, BindParameter, BooleanClauseList, True_

from tracker import scope
from tracker.counters.models import NATION, TicketDayTally, TicketTally
from tracker.counters.tally import ensure_fresh
from tracker.extensions import db
from tracker.tickets.models import Ticket

KINDS = ("status", "severity", "category", "level")
AREAS = ("village_code", "district_code", "regency_code")


def covers(user):
    """Whether the counters answer for the user's scope exactly.

    A Babinsa's scope hangs on each ticket's sensitivity and reporter, which
    the counters do not keep; his few villages are counted from the tickets.
    """
    return user is not None and getattr(user, "role", None) in ("admin", "kodim", "koramil")


def _scope_condition(user):
    if user.role == "admin" and user.is_active:
        return TicketTally.village_code == NATION
    # Never the national rows: their empty codes match no unit's or village's code.
    return scope.ticket_condition(user, TicketTally)


def _sum_cells(*conditions):
    ensure_fresh(db.session)
    kinds = [getattr(TicketTally, name) for name in KINDS]
    rows = db.session.execute(
        select(*kinds, func.sum(TicketTally.tickets), func.sum(TicketTally.flagged))
        .where(*conditions).group_by(*kinds)
    )
    return {tuple(kind): (int(tickets), int(flagged)) for *kind, tickets, flagged in rows if tickets}


def scope_cells(user):
    """{(status, severity, category, level): (tickets, flagged)} of the tickets the user sees (see ``covers``)."""
    return _sum_cells(_scope_condition(user))


def national_cells():
    """The same for every ticket in the country: the national rows alone (at most 840)."""
    return _sum_cells(TicketTally.village_code == NATION)


def day_counts(first_day):
    """{(day, event, severity): tickets} of the country from ``first_day`` on (WIB days)."""
    ensure_fresh(db.session)
    rows = db.session.execute(
        select(TicketDayTally.day, TicketDayTally.event, TicketDayTally.severity, TicketDayTally.tickets)
        .where(TicketDayTally.day >= first_day, TicketDayTally.tickets != 0)
    )
    return {(day, event, severity): number for day, event, severity, number in rows}


# --- a list's total ------------------------------------------------------------------------

def _terms(clause):
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        for part in clause.clauses:
            yield from _terms(part)
    else:
        yield clause


def _term_filter(term):
    """(column name, allowed values) for a WHERE term the counters answer; () for TRUE; None otherwise."""
    if isinstance(term, AsBoolean) and term.operator is operators.is_true:
        term = term.element
    if isinstance(term, True_):
        return ()
    if not isinstance(term, BinaryExpression) or not isinstance(term.right, BindParameter):
        return None
    table = getattr(term.left, "table", None)
    name = getattr(term.left, "key", None)
    if not isinstance(table, Table) or table.name != Ticket.__tablename__ or name not in KINDS + AREAS:
        return None
    value = term.right.effective_value
    if term.operator is operators.eq and isinstance(value, str):
        return name, {value}
    if term.operator is operators.in_op and isinstance(value, (list, tuple)) \
            and all(isinstance(item, str) for item in value):
        return name, set(value)
    return None


def list_total(stmt):
    """The number of tickets the select ``stmt`` matches, from the counters, or None when they cannot tell.

    They can when the select reads the ticket table alone and every WHERE
    term is a scope or filter term on status, severity, category, level or
    area (equality or IN with values): the admin's list unfiltered or
    filtered that way, a unit's, the triage and escalation queues. A text
    search, a date range, ``flagged``/``overdue``, a Babinsa's scope (it
    depends on sensitivity) fall back to counting rows.
    """
    # Cheap structural checks (get_final_froms() would compile the statement): the select names
    # Ticket alone, joins nothing, and every WHERE term below is on the ticket table.
    if stmt._setup_joins or stmt._from_obj or stmt._group_by_clauses or stmt._having_criteria \
            or stmt._distinct or stmt._limit_clause is not None or stmt._offset_clause is not None \
            or any(column.get("entity") is not Ticket for column in stmt.column_descriptions):
        return None
    allowed = {}
    for term in _terms(stmt.whereclause) if stmt.whereclause is not None else ():
        found = _term_filter(term)
        if found is None:
            return None
        if found:
            name, values = found
            allowed[name] = allowed[name] & values if name in allowed else values
    conditions = [getattr(TicketTally, name).in_(sorted(values)) for name, values in allowed.items()]
    if not any(name in AREAS for name in allowed):
        conditions.append(TicketTally.village_code == NATION)
    ensure_fresh(db.session)
    return int(db.session.execute(select(func.coalesce(func.sum(TicketTally.tickets), 0)).where(*conditions))
               .scalar_one())
