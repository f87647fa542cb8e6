"""The audit log's table."""
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow


class AuditEvent(db.Model):
    """One security event: appended, never changed, deleted only by age (AUDIT_RETENTION_DAYS).

    ``actor`` acted (None: the command line, or a client not signed in);
    ``user`` is the account concerned (None: a username that is no user's,
    which is not stored); ``detail`` holds plain values, never a password,
    token, key or hash.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_kind_at", "kind", "at"),
        Index("ix_audit_event_user_id_at", "user_id", "at"),
        Index("ix_audit_event_actor_id_at", "actor_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict | None] = mapped_column(JSON)

    actor = relationship("User", foreign_keys=[actor_id])
    user = relationship("User", foreign_keys=[user_id])


class AppendOnly(Exception):
    """An audit event was changed or deleted through the ORM."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_changes(_mapper, _connection, target):
    # Only the retention purge deletes, by age, with one statement.
    raise AppendOnly(f"audit event {target.id} cannot be changed or deleted")
