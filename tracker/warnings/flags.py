"""Flags: clearing them and their timeline lines, the sweep lock, and election changes.

The sweep raises flags (``tracker.warnings.services``). Clearing has one
implementation here, used both when the sweep finds a flag settled and when
an election change makes flags moot. Elections know nothing of flags: they
send ``election_edited`` and ``election_removed``
(``tracker.elections.signals``), and the handlers below, connected when
``create_app`` registers the warnings blueprint, clear what must go.
"""
import re
import zlib

from flask import current_app
from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from sqlalchemy import String, case, func, insert, literal, select, update
from sqlalchemy.orm import aliased

from tracker.counters import tally
from tracker.database import is_postgres
from tracker.elections.models import Election
from tracker.elections.queries import covers_condition
from tracker.elections.signals import election_edited, election_removed
from tracker.extensions import db
from tracker.regions.models import Region
from tracker.tickets.models import Ticket, TicketEvent
from tracker.warnings.models import Flag

# pg_advisory_xact_lock key serialising sweeps (and election changes) on PostgreSQL.
SWEEP_LOCK_KEY = zlib.crc32(b"waspada.sweep")
# Why the sweep cleared a flag: the code it stores, and its label.
CLEAR_LABELS = {
    "resolved": _l("ticket resolved"),
    "closed": _l("ticket closed"),
    "rejected": _l("ticket rejected"),
    "outside_window": _l("outside the election window"),
}
# Why an election change cleared its flags: stored written out, in the deployment's language.
REMOVED_LABEL = _l("election removed")
LEFT_AREA_LABEL = _l("village no longer in the election's area")


def clear_text(code):
    """Why a flag was cleared, in the current language."""
    label = CLEAR_LABELS.get(code)
    return str(label) if label is not None else (code or "")


def sql_format(message, **parts):
    """A translated ``%(name)s`` message as a SQL string concatenation of ``parts``."""
    pieces = re.split(r"%\((\w+)\)s", message)
    expr = literal(pieces[0], String)
    for index in range(1, len(pieces), 2):
        expr = expr + func.coalesce(parts[pieces[index]], "") + literal(pieces[index + 1], String)
    return expr


def hold_sweep_lock():
    """On PostgreSQL, wait for a running sweep and keep the next one out until commit.

    Otherwise a sweep that read an election before its change commits could
    raise a flag for a village just taken out of its area, or for an
    election just removed.
    """
    if is_postgres(db.session):
        db.session.execute(select(func.pg_advisory_xact_lock(SWEEP_LOCK_KEY)))


def clear_flags(conditions, at, clear_reason, actor=None):
    """Clear the active flags meeting ``conditions`` as of ``at``; returns how many.

    The one way flags are cleared. One UPDATE sets ``cleared_at`` and
    ``clear_reason`` (a code of CLEAR_LABELS or a reason written out; a SQL
    expression may choose it per flag) and returns each flag's timeline
    line "<election>: <why>"; one executemany writes those lines as
    ``flag_cleared`` events by ``actor`` (None: the system). Nothing more is
    sent when no flag is due, the usual case. Call it inside
    ``force_locale`` of the deployment's language: timeline lines are
    written once, in that language. Flushes nothing of its own; the caller
    commits.
    """
    flags = Flag.__table__.c
    election_name = select(Election.name).where(Election.id == flags.election_id).scalar_subquery()
    # RETURNING gives the row as updated: clear_reason holds the code or the text.
    line = sql_format(
        _("%(election)s: %(reason)s"), election=election_name,
        reason=case(*[(flags.clear_reason == key, literal(str(label), String))
                      for key, label in CLEAR_LABELS.items()], else_=flags.clear_reason),
    )
    cleared = db.session.execute(
        update(Flag.__table__)
        .where(flags.cleared_at.is_(None), *conditions)
        .values(cleared_at=at, clear_reason=clear_reason)
        .returning(flags.ticket_id, flags.stage, line)
        .execution_options(**{tally.KEPT: True})
    ).all()
    if cleared:
        tally.flags_cleared(db.session, [ticket_id for ticket_id, _stage, _text in cleared])
        actor_id = actor.id if actor is not None else None
        db.session.execute(insert(TicketEvent.__table__), [
            {"ticket_id": ticket_id, "kind": "flag_cleared", "actor_id": actor_id, "at": at,
             "from_value": stage, "to_value": None, "reason": text}
            for ticket_id, stage, text in cleared
        ])
        # Flags changed behind the ORM's back: reload any already loaded.
        for flag in [obj for obj in db.session.identity_map.values() if isinstance(obj, Flag)]:
            db.session.expire(flag)
    return len(cleared)


def clear_election_flags(election, actor, at, why, only_outside_area=False):
    """Clear the election's active flags, as the sweep clears flags; returns how many.

    All of them, or with ``only_outside_area`` those on tickets in villages
    the (flushed) area no longer covers. ``why`` is stored written out in
    the deployment's language, and the timeline lines read "<election>:
    <why>", by ``actor`` (None: the system).
    """
    flags = Flag.__table__.c
    conditions = [flags.election_id == election.id]
    if only_outside_area:
        e, t, v = aliased(Election), aliased(Ticket), aliased(Region)
        conditions.append(~(
            select(t.id).join(v, v.code == t.village_code).join(e, e.id == flags.election_id)
            .where(t.id == flags.ticket_id, covers_condition(e, v)).exists()
        ))
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return clear_flags(conditions, at, str(why)[:200], actor)


def on_election_edited(election, *, actor, at, area_changed):
    """An election changed: keep sweeps out until commit; if its area changed, clear flags outside it."""
    hold_sweep_lock()
    if area_changed:
        clear_election_flags(election, actor, at, LEFT_AREA_LABEL, only_outside_area=True)


def on_election_removed(election, *, actor, at):
    """An election was removed: keep sweeps out until commit and clear its active flags; returns how many."""
    hold_sweep_lock()
    return clear_election_flags(election, actor, at, REMOVED_LABEL)


def connect_election_signals(_state=None):
    """Handle the elections' change signals (connecting twice changes nothing).

    The warnings blueprint calls it when ``create_app`` registers it
    (``record_once``), so every application that can edit an election
    clears the flags the edit makes moot.
    """
    election_edited.connect(on_election_edited)
    election_removed.connect(on_election_removed)


def active_flag_count(election):
    """How many of the election's flags are active (what a removal would clear)."""
    return db.session.execute(
        select(func.count()).where(Flag.election_id == election.id, Flag.cleared_at.is_(None))
    ).scalar_one()
