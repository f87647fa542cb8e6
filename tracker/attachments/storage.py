"""Where a photo's bytes live, behind one small interface.

The database is the default and only storage today: it works with any
number of web hosts and no shared disk, and a database backup is a backup
of the photos. An object store would be one more class with ``save`` and
``load``, named in ``ATTACHMENT_STORAGE``; each Attachment row remembers
the storage that holds its bytes.
"""
from flask import current_app
from sqlalchemy import select

from tracker.attachments.models import AttachmentBlob
from tracker.extensions import db

SIZES = ("full", "thumb")


class DatabaseStorage:
    """Image and thumbnail in the ``attachment_blob`` row beside the attachment."""

    name = "database"

    def save(self, attachment, image, thumbnail):
        """Keep the bytes in the caller's transaction (the attachment row must be flushed)."""
        db.session.add(AttachmentBlob(attachment_id=attachment.id, image=image, thumbnail=thumbnail))

    def load(self, attachment, size):
        """The bytes of ``size`` (``full`` or ``thumb``); reads only that column."""
        column = AttachmentBlob.thumbnail if size == "thumb" else AttachmentBlob.image
        return db.session.execute(
            select(column).where(AttachmentBlob.attachment_id == attachment.id)
        ).scalar_one()


STORAGES = {storage.name: storage for storage in (DatabaseStorage(),)}


def default_storage():
    """The storage new photos go to (``ATTACHMENT_STORAGE``)."""
    name = current_app.config["ATTACHMENT_STORAGE"]
    if name not in STORAGES:
        raise RuntimeError(f"ATTACHMENT_STORAGE must be one of {', '.join(STORAGES)} (got {name!r})")
    return STORAGES[name]


def storage_of(attachment):
    """The storage holding an existing photo's bytes."""
    return STORAGES[attachment.storage]
