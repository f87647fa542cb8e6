"""The keys clients send with what they create, and the answer each one got."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.timeutil import utcnow


class IdempotencyKey(db.Model):
    """One key of one user: the request it protected and the answer it got.

    The row is written in the same transaction as the record it protects, so
    either both exist or neither does. ``status`` and ``body`` are NULL only
    inside that transaction, between the claim and the answer.
    """

    __tablename__ = "idempotency_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    # The view that answered (``api.create_ticket_view``): where to look when a replay surprises.
    endpoint: Mapped[str] = mapped_column(String(80))
    # sha256 (hex) of the method, path, canonical body and uploaded files' contents.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    resource_kind: Mapped[str | None] = mapped_column(String(16))
    resource_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        # One key per user: the race of two identical requests is decided here.
        UniqueConstraint("user_id", "key"),
        # The purge deletes by age.
        Index("ix_idempotency_key_created_at", "created_at"),
    )
