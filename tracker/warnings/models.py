"""Early-warning flags raised by the sweep."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db


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
