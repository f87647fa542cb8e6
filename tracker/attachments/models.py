"""A ticket's photos, and the bytes of the database storage."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow


class Attachment(db.Model):
    """One photo of a ticket, as re-encoded by the server (never the file as sent)."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # Size of the stored image (the thumbnail not counted).
    byte_size: Mapped[int] = mapped_column(Integer)
    # Which storage holds the bytes (tracker.attachments.storage), so rows
    # of two storages can live side by side while photos move.
    storage: Mapped[str] = mapped_column(String(16), default="database")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    ticket = relationship("Ticket")
    uploader = relationship("User")


class AttachmentBlob(db.Model):
    """The image and thumbnail bytes of a photo kept in the database.

    A table of its own, so reading a ticket's photo list never reads the
    bytes; database backups are backups of the photos.
    """

    __tablename__ = "attachment_blob"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachment.id", ondelete="CASCADE"), primary_key=True)
    image: Mapped[bytes] = mapped_column(LargeBinary)
    thumbnail: Mapped[bytes] = mapped_column(LargeBinary)
