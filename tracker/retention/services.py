"""Anonymising the personal data of tickets closed or rejected long ago (UU 27/2022 on personal data).

Tickets name people in three places: the ticket's ``parties``, the
``met_with`` of the Komsos visit it came from, and the free text people
wrote on its timeline (comments, and the reasons given for a status,
severity or category change). Once a ticket has been closed or rejected for
more than RETENTION_CLOSED_DAYS (its ``updated_at``, which every later
change moves forward, is before the cutoff), those texts are emptied. The
ticket itself, its reference, category, severity, village, dates and every
timeline line (kind, actor, time, from and to) stay for the statistics;
the title and description, which describe the problem, stay too.

Each anonymised ticket gets a system line ``anonymised`` on its timeline,
and each run that changed anything an audit event ``retention.applied``
with its counts. A visit is emptied once it is older than the cutoff and
every ticket it raised has been anonymised (or it raised none).

Set-based and batched: tickets are taken ``RETENTION_BATCH`` ids at a time
(the primary key index, resuming after the last id), each batch a few
statements whatever its size, so a million tickets cost a bounded amount
of memory and statements per batch. Functions flush; the caller commits
(the command, or the job runner). Idempotent: what is already empty is not
due, so a second run finds nothing (a comment written since is removed by
the next run).
"""
import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, exists, func, insert, literal, not_, null, or_, select, update

from tracker.audit.services import record
from tracker.counters.tally import KEPT
from tracker.extensions import db
from tracker.tickets.models import Ticket, TicketEvent
from tracker.timeutil import as_utc, utcnow
from tracker.visits.models import Visit

log = logging.getLogger("tracker.retention")

DONE_STATUSES = ("closed", "rejected")
EVENT_KIND = "anonymised"


@dataclass
class RetentionCounts:
    """What a run found (dry run) or changed: tickets, timeline texts, visits."""

    tickets: int = 0
    texts: int = 0
    visits: int = 0

    @property
    def total(self):
        return self.tickets + self.texts + self.visits

    def summary(self):
        return f"{self.tickets} tickets, {self.texts} timeline texts, {self.visits} visits"


def cutoff_for(now):
    """The moment before which a closed or rejected ticket is past its retention (RETENTION_CLOSED_DAYS)."""
    days = current_app.config["RETENTION_CLOSED_DAYS"]
    if days < 1:
        raise ValueError(f"RETENTION_CLOSED_DAYS must be at least 1 (got {days})")
    return as_utc(now) - timedelta(days=days)


def _personal_text(ticket_id):
    """A timeline line of the ticket that a person wrote, still holding text."""
    return and_(TicketEvent.ticket_id == ticket_id, TicketEvent.actor_id.is_not(None), TicketEvent.reason != "")


def _past_retention(cutoff):
    return and_(Ticket.status.in_(DONE_STATUSES), Ticket.updated_at < cutoff)


def _ticket_due(cutoff):
    """A ticket past its retention that still holds personal data."""
    return and_(_past_retention(cutoff), or_(Ticket.parties != "", exists().where(_personal_text(Ticket.id))))


def _visit_due(cutoff):
    """A visit older than the cutoff with a name in it, none of whose tickets is within its retention."""
    kept = exists().where(Ticket.visit_id == Visit.id, not_(_past_retention(cutoff)))
    return and_(Visit.met_with != "", Visit.visited_on < cutoff.date(), not_(kept))


def _count(stmt):
    return db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()


def pending(now):
    """What a run at ``now`` would anonymise, counted in three set-based queries; writes nothing."""
    cutoff = cutoff_for(now)
    due = select(Ticket.id).where(_ticket_due(cutoff))
    texts = select(TicketEvent.id).join(Ticket, Ticket.id == TicketEvent.ticket_id).where(
        _past_retention(cutoff), TicketEvent.actor_id.is_not(None), TicketEvent.reason != "")
    return RetentionCounts(tickets=_count(due), texts=_count(texts),
                           visits=_count(select(Visit.id).where(_visit_due(cutoff))))


def _anonymise_batch(ids, now):
    """Empty the personal data of these tickets and add their timeline line; returns the texts emptied."""
    # parties and version count in no ticket counter: the counters need no recount (tracker.counters).
    db.session.execute(
        update(Ticket).where(Ticket.id.in_(ids), Ticket.parties != "")
        .values(parties="", version=Ticket.version + 1)
        .execution_options(synchronize_session=False, **{KEPT: True}))
    texts = db.session.execute(
        update(TicketEvent).where(TicketEvent.ticket_id.in_(ids), TicketEvent.actor_id.is_not(None),
                                  TicketEvent.reason != "")
        .values(reason="").execution_options(synchronize_session=False)).rowcount
    db.session.execute(insert(TicketEvent).from_select(
        ["ticket_id", "kind", "actor_id", "at", "reason"],
        select(Ticket.id, literal(EVENT_KIND, TicketEvent.kind.type), null(), literal(now, TicketEvent.at.type),
               literal("", TicketEvent.reason.type))
        .where(Ticket.id.in_(ids))))
    return texts


def apply_retention(now=None, batch=None):
    """Anonymise every ticket and visit past its retention at ``now``; returns the RetentionCounts.

    Flushes; the caller commits once. Records ``retention.applied`` in the
    audit log when anything changed.
    """
    now = as_utc(now or utcnow())
    cutoff = cutoff_for(now)
    batch = batch or current_app.config["RETENTION_BATCH"]
    counts = RetentionCounts()
    last_id = 0
    while True:
        ids = db.session.execute(
            select(Ticket.id).where(_ticket_due(cutoff), Ticket.id > last_id).order_by(Ticket.id).limit(batch)
        ).scalars().all()
        if not ids:
            break
        counts.texts += _anonymise_batch(ids, now)
        counts.tickets += len(ids)
        last_id = ids[-1]
    # After the tickets: a visit is due once all its tickets are past their retention.
    counts.visits = db.session.execute(
        update(Visit).where(_visit_due(cutoff)).values(met_with="").execution_options(synchronize_session=False)
    ).rowcount
    if counts.total:
        record("retention.applied", actor=None, address=None, detail={
            "tickets": counts.tickets, "timeline_texts": counts.texts, "visits": counts.visits,
            "closed_before": cutoff.isoformat(timespec="seconds"),
            "days": current_app.config["RETENTION_CLOSED_DAYS"],
        })
        log.info("retention: anonymised %s (closed or rejected before %s)", counts.summary(), cutoff.date())
    db.session.flush()
    return counts
