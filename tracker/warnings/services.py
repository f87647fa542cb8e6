"""Early warning: the sweep, reading flags, hotspots.

Everything here is set-based SQL with a fixed number of statements, so the
cost never grows with a Python loop over tickets or villages. Every read
for a user goes through ``tracker.scope``. Clearing flags, their timeline
lines and the sweep lock are ``tracker.warnings.flags``; silent villages
(their rule, the sweep's snapshot, the reader) ``tracker.warnings.silence``.
"""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import (
    DateTime, Float, String, and_, bindparam, case, cast, exists, func, insert, literal, not_, or_, select, update,
)
from sqlalchemy.orm import aliased, contains_eager, joinedload

from tracker import scope
from tracker.counters import tally
from tracker.counters.models import VillageOpen
from tracker.counters.queries import covers as counters_cover
from tracker.database import is_postgres
from tracker.elections.models import Election, ElectionStage
from tracker.elections.queries import (
    covers_condition, local_day_expr, local_days, stage_on_condition, window_prefilter,
)
from tracker.elections.services import STAGE_LABELS
from tracker.extensions import db
from tracker.regions.models import Region
from tracker.tickets.labels import SEVERITY_LABELS
from tracker.tickets.models import SEVERITY_RANK, UNRESOLVED, Ticket, TicketEvent
from tracker.timeutil import as_utc, utcnow
from tracker.warnings import silence
from tracker.warnings.flags import SWEEP_LOCK_KEY, clear_flags, sql_format
from tracker.warnings.models import Flag, flag_probe, flagged_condition


@dataclass(frozen=True)
class StageRule:
    """Flag a ticket at ``min_severity`` or above, or open longer than ``open_days``."""

    min_severity: str
    open_days: int | None = None


# The closer to voting day, the lower the bar. "low" flags every unresolved ticket.
STAGE_RULES = {
    "lead_up": StageRule("high", 14),
    "campaign": StageRule("medium", 7),
    "quiet": StageRule("low"),
    "voting": StageRule("low"),
    "recap": StageRule("medium"),
}
# Risk score: severity weight x age factor x stage multiplier (see README).
SEVERITY_WEIGHTS = {"low": 1, "medium": 2, "high": 4, "critical": 8}
AGE_CAP_DAYS = 30
STAGE_MULTIPLIERS = {"lead_up": 1.0, "campaign": 1.5, "quiet": 2.0, "voting": 2.0, "recap": 1.5}

REASON_CODES = ("severity", "age", "every")
# Escalation leaves these statuses for "escalated"; an escalated ticket is at the Kodim already.
ESCALATABLE = ("new", "triaged", "in_progress")


@dataclass(frozen=True)
class SweepResult:
    """What one pass changed, and how many villages are silent."""

    raised: int
    cleared: int
    escalated: int
    silent: int

    def __str__(self):
        return f"raised {self.raised}, cleared {self.cleared}, escalated {self.escalated}, silent {self.silent}"


def reason_text(stage, reason):
    """A flag's reason in the current language, e.g. "severity high or above"."""
    rule = STAGE_RULES[stage]
    if reason == "every":
        return _("every unresolved ticket")
    if reason == "age":
        return _("open more than %(days)d days", days=rule.open_days)
    return _("severity %(severity)s or above", severity=SEVERITY_LABELS[rule.min_severity])


# --- SQL helpers ------------------------------------------------------------------

def _stage_label_expr(stage_column):
    """SQL: the stage's label in the current language."""
    return case(
        *[(stage_column == name, literal(str(label), String)) for name, label in STAGE_LABELS.items()],
        else_=stage_column,
    )


def _rule_parts(stage_column, ticket, at):
    """(condition "the stage's rule holds", SQL reason code) for a ticket inside a stage."""
    holds, reasons = [], []
    for name, rule in STAGE_RULES.items():
        by_severity = ticket.severity_rank >= SEVERITY_RANK[rule.min_severity]
        condition = by_severity
        if rule.open_days is not None:
            condition = or_(by_severity, ticket.reported_at < at - timedelta(days=rule.open_days))
        holds.append(and_(stage_column == name, condition))
        reasons.append((and_(stage_column == name, by_severity),
                        "every" if rule.min_severity == "low" else "severity"))
    return or_(*holds), case(*reasons, else_="age")


def _reason_text_expr(stage_column, reason_column):
    """SQL: the reason sentence for (stage, reason code), in the current language."""
    whens = [
        (and_(stage_column == stage, reason_column == code), literal(reason_text(stage, code), String))
        for stage, rule in STAGE_RULES.items() for code in REASON_CODES
        if code != "age" or rule.open_days is not None
    ]
    return case(*whens, else_=reason_column)


def _age_days(column, at):
    """SQL: days from ``column`` to ``at`` as a float (dialect-specific arithmetic)."""
    moment = literal(at, DateTime(timezone=True))
    if is_postgres(db.session):
        return cast(func.extract("epoch", moment - column), Float) / 86400.0
    return func.julianday(moment) - func.julianday(column)


def _at(at):
    return as_utc(at) if at is not None else utcnow()


def _is_unresolved(status_column):
    """SQL: the status is unresolved, with the statuses written into the statement.

    Literal values let the planners use the partial index on open tickets
    (``status IN ('new', 'triaged', 'in_progress', 'escalated')``); a bound
    parameter never matches an index's WHERE clause.
    """
    return status_column.in_(bindparam("unresolved", UNRESOLVED, expanding=True, literal_execute=True, unique=True))


def _stage_prefilter(stage, at):
    """SQL: the stage holds ``at``'s date in some zone (an index-free pre-filter on the stage row).

    Only the running stages reach the per-village test of the village's own
    day, instead of every stage of every election in its window.
    """
    days = local_days(at).values()
    return and_(stage.starts_on <= max(days), stage.ends_on >= min(days))


# --- the sweep --------------------------------------------------------------------

def sweep(at=None):
    """One early-warning pass as of ``at``: raise, clear, escalate, list silent villages.

    A constant number of SQL statements whatever the number of tickets:
    flags are raised on unresolved tickets in villages inside a stage whose
    rule holds, cleared when the ticket is no longer unresolved or the
    window does not hold the moment, overdue critical Koramil tickets inside
    a stage are escalated to the Kodim, and every change is written to the
    ticket's timeline (actor NULL: the system). Running it again at the same
    moment changes nothing; sweeps are serialised (advisory lock on
    PostgreSQL, the write lock on SQLite) so concurrent passes cannot
    double a flag. Flushes; the caller commits.
    """
    at = _at(at)
    session = db.session
    session.flush()
    if is_postgres(session):
        # JIT compilation of these large plans costs more than it saves
        # (about a second per statement on the national data set).
        session.execute(select(func.set_config("jit", "off", True), func.pg_advisory_xact_lock(SWEEP_LOCK_KEY)))
    # Timeline lines are written once, in the deployment's language.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        cleared = _clear_flags(session, at)
        raised = _raise_flags(session, at)
        escalated = _escalate(session, at)
    silent = silence.take_snapshot(session, at)
    # Rows changed behind the ORM's back: reload anything already loaded.
    session.expire_all()
    return SweepResult(raised=raised, cleared=cleared, escalated=escalated, silent=silent)


def _event_insert(select_stmt):
    """INSERT INTO ticket_event (ticket_id, kind, at, from_value, to_value, reason) SELECT ..."""
    columns = TicketEvent.__table__.c
    return insert(TicketEvent.__table__).from_select(
        [columns.ticket_id, columns.kind, columns.at, columns.from_value, columns.to_value, columns.reason],
        select_stmt,
    )


def _clear_flags(session, at):
    """Clear active flags whose ticket is settled or whose window does not hold ``at``.

    The flags to clear are found once, inside the one clearing UPDATE
    (``flags.clear_flags``), which stores the ticket's status, or
    "outside_window", as the reason code.
    """
    f, t, v, e = aliased(Flag), aliased(Ticket), aliased(Region), aliased(Election)
    days = local_days(at).values()
    today = local_day_expr(v.timezone, at)
    # Only an election whose window holds ``at`` in some zones but not in
    # all needs the village's own day; the others are decided by their dates.
    holds_nowhere = not_(window_prefilter(e, at))
    not_everywhere = not_(and_(e.window_start <= min(days), e.window_end >= max(days)))
    outside_here = (
        select(v.code).where(v.code == t.village_code, not_(and_(e.window_start <= today, e.window_end >= today)))
        .exists()
    )
    due = (
        select(f.id).select_from(f).join(t, t.id == f.ticket_id).join(e, e.id == f.election_id)
        .where(f.cleared_at.is_(None),
               or_(not_(_is_unresolved(t.status)), holds_nowhere, and_(not_everywhere, outside_here)))
    )
    flags = Flag.__table__.c
    status = select(Ticket.status).where(Ticket.id == flags.ticket_id).scalar_subquery()
    code = case((_is_unresolved(status), "outside_window"), else_=status)
    return clear_flags([flags.id.in_(due)], at, code)


def _raise_flags(session, at):
    """Raise a flag per (unresolved ticket, election) whose stage rule holds and has none.

    The flags go in first; their timeline lines are then written from the
    rows above the highest flag id seen before, so the costly candidate
    search runs once. Sweeps are serialised, and only the sweep inserts
    flags, so those rows are exactly this pass's.
    """
    t, v, e, s, f = (aliased(Ticket), aliased(Region), aliased(Election), aliased(ElectionStage),
                     aliased(Flag))
    holds, reason = _rule_parts(s.name, t, at)
    candidates = (
        select(t.id, e.id, s.name, reason, literal(at, DateTime(timezone=True)))
        .select_from(t).join(v, v.code == t.village_code)
        .join(e, and_(window_prefilter(e, at), covers_condition(e, v)))
        .join(s, and_(s.election_id == e.id, _stage_prefilter(s, at), stage_on_condition(s, v, at)))
        .where(
            _is_unresolved(t.status), t.reported_at <= at, holds,
            ~exists().where(f.ticket_id == t.id, f.election_id == e.id, f.cleared_at.is_(None)),
        )
    )
    before = session.execute(select(func.coalesce(func.max(Flag.id), 0))).scalar_one()
    columns = Flag.__table__.c
    # preserve_rowcount: psycopg drops an INSERT's rowcount otherwise.
    result = session.execute(insert(Flag.__table__).from_select(
        [columns.ticket_id, columns.election_id, columns.stage, columns.reason, columns.raised_at], candidates,
    ).execution_options(preserve_rowcount=True, **{tally.KEPT: True}))
    tally.flags_raised(session, before)
    text = sql_format(_("%(election)s, %(stage)s: %(reason)s"), election=e.name,
                       stage=_stage_label_expr(f.stage), reason=_reason_text_expr(f.stage, f.reason))
    session.execute(_event_insert(
        select(f.ticket_id, literal("flag_raised"), f.raised_at, literal(None, String), f.stage, text)
        .join(e, e.id == f.election_id).where(f.id > before)
    ))
    return result.rowcount


def _escalate(session, at):
    """Escalate overdue critical tickets still at Koramil level inside a stage (actor: system)."""
    t, v = aliased(Ticket), aliased(Region)
    e, s = aliased(Election), aliased(ElectionStage)
    stage_here = (
        select(e.id).join(s, s.election_id == e.id)
        .where(window_prefilter(e, at), covers_condition(e, v), stage_on_condition(s, v, at))
    )
    # The election nearest to voting names the reason.
    why = (
        stage_here.with_only_columns(sql_format(
            _("Critical ticket overdue during %(election)s, %(stage)s: escalated to the Kodim automatically"),
            election=e.name, stage=_stage_label_expr(s.name)))
        .order_by(e.voting_on, e.id).limit(1).scalar_subquery()
    )
    due = (
        select(t.id).select_from(t).join(v, v.code == t.village_code)
        .where(t.severity == "critical", t.level == "koramil", t.status.in_(ESCALATABLE),
               t.due_at < at, stage_here.exists())
    )
    session.execute(_event_insert(due.with_only_columns(
        t.id, literal("escalated"), literal(at, DateTime(timezone=True)), t.status,
        literal("escalated", String), why)))
    tickets = Ticket.__table__.c
    tally.moving_tickets(session, due, status="escalated", level="kodim")
    result = session.execute(
        update(Ticket.__table__).where(tickets.id.in_(due))
        .values(status="escalated", level="kodim", version=tickets.version + 1, updated_at=at)
        .execution_options(**{tally.KEPT: True})
    )
    return result.rowcount


# --- risk and hotspots ------------------------------------------------------------

def stage_multiplier_expr(village, at):
    """SQL: the highest stage multiplier among the elections active in the village (1 outside)."""
    e, s = aliased(Election), aliased(ElectionStage)
    weight = case(*[(s.name == name, literal(value, Float)) for name, value in STAGE_MULTIPLIERS.items()],
                  else_=literal(1.0, Float))
    best = (
        select(func.max(weight)).select_from(e).join(s, s.election_id == e.id)
        .where(window_prefilter(e, at), covers_condition(e, village), stage_on_condition(s, village, at))
        .scalar_subquery()
    )
    return func.coalesce(best, literal(1.0, Float))


def ticket_risk_expr(ticket, at):
    """SQL: one ticket's risk: severity weight x (1 + age in days / 30, capped at 2)."""
    weight = case(*[(ticket.severity == name, literal(value, Float)) for name, value in SEVERITY_WEIGHTS.items()],
                  else_=literal(1.0, Float))
    age = _age_days(ticket.reported_at, at)
    capped = case((age >= AGE_CAP_DAYS, literal(float(AGE_CAP_DAYS), Float)), (age < 0, literal(0.0, Float)),
                  else_=age)
    return weight * (1.0 + capped / float(AGE_CAP_DAYS))


def hotspots(user, limit=10, at=None):
    """The riskiest villages in the user's area, highest score first (one query; four for a commander).

    Dicts with village_code, village_name, district_name, score (rounded to
    two decimals), open_tickets and flagged_tickets; only villages with
    unresolved tickets the user may see.

    A village's score is its tickets' base risk times a stage multiplier
    between the lowest and the highest of ``STAGE_MULTIPLIERS`` (1 outside
    any stage). The multiplier, a search through the elections, is worked
    out only for the villages that can still reach the top ``limit``: those
    whose base at the highest multiplier is not below the ``limit``-th
    largest base at the lowest. A commander's tickets are first narrowed
    to the villages the counters say can reach it (``_hotspot_candidates``),
    so a national scope reads a few villages' tickets, not every unresolved
    one. The result is the same as scoring every village.
    """
    at = _at(at)
    conditions = [_is_unresolved(Ticket.status), Ticket.reported_at <= at, scope.ticket_condition(user, Ticket)]
    candidates = _hotspot_candidates(user, limit, at) if limit and counters_cover(user) else None
    # A few villages' tickets probe the flag index one by one; every ticket of a scope hashes the flags.
    flagged = flagged_condition(Ticket)
    if candidates is not None:
        conditions.append(Ticket.village_code.in_(candidates))
        flagged = flag_probe(Ticket)
    per_village = (
        select(
            Ticket.village_code.label("code"),
            func.sum(ticket_risk_expr(Ticket, at)).label("base"),
            func.count().label("open_tickets"),
            func.sum(case((flagged, 1), else_=0)).label("flagged_tickets"),
        )
        .where(*conditions)
        .group_by(Ticket.village_code)
        .cte("per_village")
    )
    v, d = aliased(Region), aliased(Region)
    score = (per_village.c.base * stage_multiplier_expr(v, at)).label("score")
    stmt = (
        select(v.code, v.name, d.name, score, per_village.c.open_tickets, per_village.c.flagged_tickets)
        .select_from(per_village).join(v, v.code == per_village.c.code)
        .outerjoin(d, d.code == v.district_code)
        .order_by(score.desc(), v.code)
        .limit(limit)
    )
    if limit:
        lowest = min(1.0, *STAGE_MULTIPLIERS.values())
        highest = max(1.0, *STAGE_MULTIPLIERS.values())
        nth_base = (
            select(per_village.c.base).order_by(per_village.c.base.desc()).limit(1).offset(limit - 1)
            .scalar_subquery()
        )
        stmt = stmt.where(per_village.c.base * highest >= func.coalesce(nth_base * lowest, 0.0))
    rows = db.session.execute(stmt).all()
    return [
        {"village_code": code, "village_name": name, "district_name": district,
         "score": round(float(value or 0), 2), "open_tickets": int(open_count),
         "flagged_tickets": int(flagged or 0)}
        for code, name, district, value, open_count, flagged in rows
    ]


def _open_weight():
    """SQL: a ``village_open`` row's severity weights summed over its unresolved tickets."""
    return sum(getattr(VillageOpen, name) * weight for name, weight in SEVERITY_WEIGHTS.items())


def _hotspot_candidates(user, limit, at):
    """The villages of the user's scope that may be among its ``limit`` riskiest (a list of codes; three queries).

    A ticket's risk is its severity weight times an age factor between 1
    and 2, so a village's base lies between its weight ``w`` (the
    ``village_open`` counters) and ``2w``, and its score between that times
    the lowest and the highest stage multiplier. The ``limit`` villages of
    largest ``w`` are scored exactly (their tickets); the ``limit``-th of
    those bases at the lowest multiplier is a score the top ``limit`` reach,
    so a village whose ``2w`` at the highest multiplier stays below it
    cannot be among them. What is left: the villages that can.
    """
    tally.ensure_fresh(db.session)
    weight = _open_weight()
    within = scope.ticket_condition(user, VillageOpen)
    heaviest = db.session.execute(
        select(VillageOpen.village_code).where(within).order_by(weight.desc(), VillageOpen.village_code).limit(limit)
    ).scalars().all()
    if len(heaviest) < limit:
        return heaviest
    bases = db.session.execute(
        select(func.sum(ticket_risk_expr(Ticket, at)))
        .where(Ticket.village_code.in_(heaviest), _is_unresolved(Ticket.status), Ticket.reported_at <= at,
               scope.ticket_condition(user, Ticket))
        .group_by(Ticket.village_code)
    ).scalars().all()
    if len(bases) < limit:
        return None   # tickets the counters count are not all visible or not yet reported: score them all
    lowest = min(1.0, *STAGE_MULTIPLIERS.values())
    highest = max(1.0, *STAGE_MULTIPLIERS.values())
    # A hair lower: the sums of floats in two statements need not agree to the last bit.
    reach = min(float(base) for base in bases) * lowest * (1 - 1e-9)
    # Read out, not a subquery: a list of codes lets both planners probe the tickets by village.
    return db.session.execute(
        select(VillageOpen.village_code).where(within, weight * (2 * highest) >= reach)
    ).scalars().all()


# --- flags ------------------------------------------------------------------------

def flags_for_user(user, active=None, village_code=None, election_id=None):
    """A select of flags on tickets the user may see, newest first, tickets and elections loaded.

    ``village_code`` keeps one village's flags, ``election_id`` one election's.
    """
    stmt = (
        select(Flag).join(Flag.ticket).options(contains_eager(Flag.ticket), joinedload(Flag.election))
        .where(scope.ticket_condition(user, Ticket))
    )
    if active is True:
        stmt = stmt.where(Flag.cleared_at.is_(None))
    elif active is False:
        stmt = stmt.where(Flag.cleared_at.is_not(None))
    if village_code:
        stmt = stmt.where(Ticket.village_code == village_code)
    if election_id is not None:
        stmt = stmt.where(Flag.election_id == election_id)
    return stmt.order_by(Flag.raised_at.desc(), Flag.id.desc())


def ticket_flags(ticket):
    """Every flag of a ticket with its election, active first then newest (one query)."""
    return db.session.execute(
        select(Flag).join(Flag.election).options(contains_eager(Flag.election))
        .where(Flag.ticket_id == ticket.id)
        .order_by(Flag.cleared_at.is_not(None), Flag.raised_at.desc(), Flag.id.desc())
    ).scalars().all()
