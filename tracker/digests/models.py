"""The outbox: every email is decided into a row here and relayed later."""
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow


class OutboxMessage(db.Model):
    """One email, keyed (e.g. ``digest:<user>:<local date>``) so it is decided once."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    # Indexed by ix_outbox_user_digest_on (user_id leads).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # For a digest: the recipient's local date it covers (finds "since the previous digest").
    digest_on: Mapped[date | None] = mapped_column(Date)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # pending: waiting for the relay (a failed attempt leaves it pending with a
    # later next_attempt_at: "retrying"); sending: claimed by a relay; sent;
    # failed; skipped: a decided digest that had nothing to say while
    # DIGEST_SEND_EMPTY is off.
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user = relationship("User")

    __table_args__ = (
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
        Index("ix_outbox_user_digest_on", "user_id", "digest_on"),
    )
