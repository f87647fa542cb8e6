"""Tickets, their append-only timeline and the per-Kodim reference counter."""
from datetime import date, datetime

from sqlalchemy import (
    DDL, Boolean, Date, DateTime, Double, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow

SEVERITIES = ("low", "medium", "high", "critical")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES, start=1)}
STATUSES = ("new", "triaged", "in_progress", "escalated", "resolved", "closed", "rejected")
UNRESOLVED = ("new", "triaged", "in_progress", "escalated")
# The WHERE term of the partial index ix_ticket_open_reported.
OPEN_STATUSES_SQL = "status IN (" + ", ".join(f"'{status}'" for status in UNRESOLVED) + ")"
CATEGORIES = (
    "money_politics", "identity_politics", "hoax", "supporter_conflict",
    "campaign_violation", "neutrality", "election_logistics", "voter_roll",
    "pilkades_dispute", "land_dispute", "social_conflict", "crime", "disaster",
    "public_service", "other",
)
LEVELS = ("koramil", "kodim")
EVENT_KINDS = (
    "created", "comment", "status", "severity", "category", "escalated",
    "flag_raised", "flag_cleared", "photo_added",
    # A ticket rejected as a duplicate (to_value: the original's reference),
    # and the line the original gets (to_value: the duplicate's reference).
    "duplicate_of", "has_duplicate",
    # The system line of a ticket whose personal data the retention removed (tracker.retention).
    "anonymised",
)


class Ticket(db.Model):
    """A problem heard in a village. No field records voter preferences or votes."""

    __tablename__ = "ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    # Denormalised from the village (which never moves) for scoped indexes.
    district_code: Mapped[str] = mapped_column(String(8))
    regency_code: Mapped[str] = mapped_column(String(5))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    category: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(10))
    # Kept beside severity so "most severe first" sorts on an integer index.
    severity_rank: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="new")
    level: Mapped[str] = mapped_column(String(8), default="koramil")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    parties: Mapped[str] = mapped_column(String(500), default="")
    occurred_on: Mapped[date | None] = mapped_column(Date)
    is_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where it was reported from, when the Babinsa asked his phone (tracker.geo): all three or none.
    latitude: Mapped[float | None] = mapped_column(Double)
    longitude: Mapped[float | None] = mapped_column(Double)
    accuracy_m: Mapped[float | None] = mapped_column(Double)
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Set when the ticket was rejected as a duplicate: the ticket it repeats
    # (same village, never itself a duplicate; tracker.tickets.services).
    # Tickets are never deleted, so the key needs no ON DELETE rule.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)

    village = relationship("Region")
    reporter = relationship("User", foreign_keys=[reporter_id])
    visit = relationship("Visit")
    duplicate_of = relationship("Ticket", remote_side=[id], foreign_keys=[duplicate_of_id])
    events: Mapped[list["TicketEvent"]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", viewonly=True
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # A village's tickets by status; severity, reported_at and id make the hotspots' score of
        # a few villages (tracker/warnings/services.py) an index-only read on PostgreSQL.
        Index("ix_ticket_village_status", "village_code", "status", "severity", "reported_at", "id"),
        # Lists are newest first with the id as tie-breaker: these walk a page
        # in index order (and resume after a cursor) with no sort step.
        Index("ix_ticket_district_reported", "district_code", "reported_at", "id"),
        Index("ix_ticket_regency_reported", "regency_code", "reported_at", "id"),
        Index("ix_ticket_reported_at", "reported_at", "id"),
        # A unit's filtered counts (status, severity) read these alone, not its rows.
        Index("ix_ticket_district_status", "district_code", "status", "severity"),
        Index("ix_ticket_regency_status", "regency_code", "status", "severity"),
        Index("ix_ticket_status_due", "status", "due_at"),
        # The sweep's candidates: about a tenth of all tickets is unresolved.
        # Queries must spell the statuses as literals for the planner to use it.
        Index("ix_ticket_open_reported", "reported_at",
              sqlite_where=text(OPEN_STATUSES_SQL), postgresql_where=text(OPEN_STATUSES_SQL)),
        # Text search (lower(title/description) LIKE '%word%') on PostgreSQL:
        # trigram indexes find the matching rows of a kecamatan, a kabupaten
        # or the country without reading every description of the area.
        Index("ix_ticket_title_trgm", text("lower(title) gin_trgm_ops"),
              postgresql_using="gin").ddl_if(dialect="postgresql"),
        Index("ix_ticket_description_trgm", text("lower(description) gin_trgm_ops"),
              postgresql_using="gin").ddl_if(dialect="postgresql"),
    )

    @property
    def is_unresolved(self):
        return self.status in UNRESOLVED

    def __repr__(self):
        return f"<Ticket {self.ref} {self.status}>"


class TicketEvent(db.Model):
    """One line of a ticket's timeline. Rows are only ever inserted."""

    __tablename__ = "ticket_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    # NULL actor means the system (the sweep).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    from_value: Mapped[str | None] = mapped_column(String(40))
    to_value: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor = relationship("User")

    __table_args__ = (Index("ix_ticket_event_ticket_id", "ticket_id", "id"),)


def record_event(ticket, actor, kind, *, from_value=None, to_value=None, reason="", at=None):
    """Append one line to the ticket's timeline (``actor`` None: the system).

    Beside the model rather than in the services, so that features the
    ticket services build on (photos: tracker.attachments) write their
    lines through it too.
    """
    event = TicketEvent(
        ticket_id=ticket.id, actor_id=actor.id if actor is not None else None, kind=kind,
        from_value=from_value, to_value=to_value, reason=reason or "", at=at or utcnow(),
    )
    db.session.add(event)
    return event


class TicketCounter(db.Model):
    """The last reference number used per Kodim and year (gap-free sequence)."""

    __tablename__ = "ticket_counter"
    __table_args__ = (UniqueConstraint("prefix", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


# The trigram indexes need the pg_trgm extension (trusted: a database owner
# may create it); the migration creates it too.
event.listen(
    Ticket.__table__, "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)
