"""What the news feed keeps of its own: how far each user has read.

The feed itself is not stored: it is read from the tickets' timeline
(``ticket_event``) each time, so it never disagrees with the tickets.
"""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.tickets.models import TicketEvent
from tracker.timeutil import utcnow


class NewsReadMarker(db.Model):
    """The newest timeline line of his feed a user has seen: later lines count as unread."""

    __tablename__ = "news_read_marker"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    # A ticket_event id: ids only grow, so every line added later is above it.
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# Which tickets a user is in (the lines he wrote, per ticket) is the feed's
# first step: read by actor from this index, not from the whole timeline.
# Partial: the sweep's many lines have no actor and are never looked up so.
_PERSONAL = "actor_id IS NOT NULL"
Index(
    "ix_ticket_event_actor_ticket", TicketEvent.actor_id, TicketEvent.ticket_id, TicketEvent.id,
    sqlite_where=text(_PERSONAL), postgresql_where=text(_PERSONAL),
)
