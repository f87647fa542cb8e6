"""Early-warning flags raised by the sweep, and the SQL tests on them every reader shares.

"Is this ticket flagged?" is asked by the ticket list and its export, the
API, the dashboard and the digests. It is part of the data layer here, so
those readers need nothing of the warnings package beyond its table.
"""
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, exists, literal, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.tickets.models import Ticket


class Flag(db.Model):
    """A ticket flagged inside an election's window. Active while cleared_at is NULL."""

    __tablename__ = "flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(200))
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    clear_reason: Mapped[str | None] = mapped_column(String(200))

    ticket = relationship("Ticket")
    election = relationship("Election")

    __table_args__ = (
        # One active flag per ticket and election, enforced by the database.
        Index(
            "uq_flag_active", "ticket_id", "election_id", unique=True,
            sqlite_where=text("cleared_at IS NULL"), postgresql_where=text("cleared_at IS NULL"),
        ),
        Index("ix_flag_election_id", "election_id"),
    )


class SilentVillage(db.Model):
    """A village the last sweep found silent (``tracker.warnings.silence``).

    ``order_day`` is ``last_visit_on`` with never-visited villages on a day
    before any visit, so the list's order (never visited, then longest
    silent) is one index on both databases.
    """

    __tablename__ = "silent_village"

    village_code: Mapped[str] = mapped_column(String(13), primary_key=True)
    last_visit_on: Mapped[date | None] = mapped_column(Date)
    order_day: Mapped[date] = mapped_column(Date)

    __table_args__ = (Index("ix_silent_village_order", "order_day", "village_code"),)


class SilenceSnapshot(db.Model):
    """When the ``silent_village`` rows were taken; no row while they may be wrong."""

    __tablename__ = "silence_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def flagged_condition(ticket_model=Ticket):
    """SQL: the ticket (model or alias) carries an active early-warning flag."""
    return exists().where(Flag.ticket_id == ticket_model.id, Flag.cleared_at.is_(None))


def flag_probe(ticket_model=Ticket):
    """SQL: the same test as ``flagged_condition``, always as an index probe per row.

    PostgreSQL may turn an EXISTS into a hashed subplan that reads every
    active flag in the country (180,000 at national scale) to answer for a
    few thousand tickets; a correlated ``LIMIT 1`` cannot be hashed. Use it
    where a statement looks at one area's tickets; keep ``flagged_condition``
    for statements over all tickets (the export), where the hash wins.
    """
    return select(literal(1)).where(
        Flag.ticket_id == ticket_model.id, Flag.cleared_at.is_(None)
    ).limit(1).scalar_subquery().is_not(None)


def flagged_ids(ticket_ids):
    """Which of the given tickets carry an active flag (one query for a page)."""
    if not ticket_ids:
        return set()
    return set(db.session.execute(
        select(Flag.ticket_id).where(Flag.ticket_id.in_(ticket_ids), Flag.cleared_at.is_(None))
    ).scalars())
