"""Photos on tickets: add them (re-encoded, at most three), list them, read them in scope.

The API and the add-photo form call ``add_photos``; a new ticket's photos
(the ticket form, the visit form's problems) are checked with its other
fields (``check_photos``) and stored once it exists (``store_photos``).
Like every service they write and flush; the caller commits once, or rolls
back on an error.

The ticket services build on this module, so it uses only the tickets'
data layer (``tracker.tickets.models``), never their services.
"""
from dataclasses import dataclass

from flask import current_app
from flask_babel import format_decimal, gettext as _, lazy_gettext as _l
from sqlalchemy import func, select

from tracker import scope
from tracker.attachments.imaging import ImageRefused, reencode
from tracker.attachments.models import Attachment
from tracker.attachments.storage import default_storage, storage_of
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.params import is_row_id
from tracker.tickets.models import Ticket, record_event
from tracker.timeutil import utcnow

MAX_PER_TICKET = 3
EVENT_KIND = "photo_added"
NAME_MAX = 80
_MEGA = 1024 * 1024

REFUSALS = {
    "type": _l("%(name)s is not a JPEG, PNG or WebP photo."),
    "pixels": _l("%(name)s has too many pixels (more than %(mp)s megapixels)."),
    "unreadable": _l("%(name)s could not be read as a photo; it may be damaged."),
}


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the name the client gave it and at most ATTACHMENT_MAX_BYTES + 1 of its bytes."""

    name: str
    data: bytes


def read_uploads(files):
    """Uploads from request file parts (``request.files.getlist(...)``).

    Parts without a name and without content (a file input left empty) are
    skipped. Each is read to one byte past the limit, enough to refuse it.
    """
    limit = current_app.config["ATTACHMENT_MAX_BYTES"] + 1
    uploads = [Upload(part.filename or "", part.stream.read(limit)) for part in files]
    return [upload for upload in uploads if upload.name or upload.data]


def display_name(name):
    """The client's file name as messages show it: last path part, printable, short."""
    name = "".join(c for c in name.replace("\\", "/").rsplit("/", 1)[-1] if c.isprintable()).strip()
    if not name:
        return _("photo")
    return name if len(name) <= NAME_MAX else name[:NAME_MAX - 1] + "…"


def _reencode_upload(upload, max_bytes, max_pixels):
    """(None, Photo) for an upload, or (a message naming it, None) when it is refused."""
    name = display_name(upload.name)
    if len(upload.data) > max_bytes:
        return _l("%(name)s is larger than %(size)s MB.", name=name, size=format_decimal(max_bytes / _MEGA)), None
    try:
        return None, reencode(upload.data, max_pixels=max_pixels)
    except ImageRefused as refused:
        return REFUSALS[refused.reason] % {"name": name, "mp": format_decimal(max_pixels / 1_000_000)}, None


def add_photos(actor, ticket, uploads, *, field="file"):
    """Add the uploads to the ticket as photos; returns the new Attachments.

    Whoever may comment on a ticket may add photos, and that is whoever sees
    it: the caller passes a ticket from the scoped look-up (``get_ticket``),
    as for ``add_comment``. Every upload is checked and re-encoded before
    anything is written; a ValidationError under ``field`` names each
    refused file (``check_photos``), or says that the ticket has its photos
    (``store_photos``).
    """
    if not uploads:
        raise ValidationError({field: [_l("Attach a photo.")]})
    errors = {}
    photos = check_photos(errors, uploads, field=field)
    if errors:
        raise ValidationError(errors)
    return store_photos(actor, ticket, photos, field=field)


def check_photos(errors, uploads, *, field):
    """The uploads re-encoded (imaging.Photo), nothing written yet; [] for none.

    Records under ``field`` in ``errors`` a message naming each refused
    file, or one message when there are more than a ticket may hold.
    """
    if len(uploads) > MAX_PER_TICKET:
        errors[field] = [_l("At most %(n)d photos per ticket.", n=MAX_PER_TICKET)]
        return []
    max_bytes = current_app.config["ATTACHMENT_MAX_BYTES"]
    max_pixels = current_app.config["ATTACHMENT_MAX_PIXELS"]
    messages, photos = [], []
    for upload in uploads:
        message, photo = _reencode_upload(upload, max_bytes, max_pixels)
        if message is not None:
            messages.append(message)
        else:
            photos.append(photo)
    if messages:
        errors[field] = messages
        return []
    return photos


def store_photos(actor, ticket, photos, *, field):
    """Write checked photos (``check_photos``) to the ticket; returns the new Attachments.

    A ticket holds at most three photos: the count is taken after the new
    rows are written, with the ticket row locked on PostgreSQL (SQLite has
    one writer), so two uploads at once cannot make four; a ValidationError
    under ``field`` says so and the caller rolls back as on any other.
    Each photo adds a ``photo_added`` line to the timeline.
    """
    db.session.execute(select(Ticket.id).where(Ticket.id == ticket.id).with_for_update())
    storage = default_storage()
    now = utcnow()
    added = []
    for photo in photos:
        attachment = Attachment(
            ticket_id=ticket.id, uploader_id=actor.id, content_type=photo.content_type,
            width=photo.width, height=photo.height, byte_size=len(photo.image),
            storage=storage.name, created_at=now,
        )
        db.session.add(attachment)
        db.session.flush()
        storage.save(attachment, photo.image, photo.thumbnail)
        record_event(ticket, actor, EVENT_KIND, to_value=str(attachment.id), at=now)
        added.append(attachment)
    db.session.flush()
    total = photo_counts([ticket.id]).get(ticket.id, 0)
    if total > MAX_PER_TICKET:
        raise ValidationError({field: [_l(
            "A ticket has at most %(n)d photos; this one already has %(count)d.",
            n=MAX_PER_TICKET, count=total - len(added),
        )]})
    return added


def photos_of(ticket):
    """The ticket's photos, oldest first (the caller has checked the ticket is visible)."""
    return db.session.execute(
        select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(Attachment.id)
    ).scalars().all()


def photo_count_column(ticket_id):
    """The number of photos of the row's ticket, as a column of a select of tickets.

    A correlated count, one look-up of ix_attachment_ticket_id per row in
    the same statement: a page or an export takes no query per ticket.
    """
    return (select(func.count(Attachment.id)).where(Attachment.ticket_id == ticket_id)
            .scalar_subquery().label("attachments"))


def photo_counts(ticket_ids):
    """{ticket_id: number of photos} for the given tickets, in one query (absent means 0)."""
    if not ticket_ids:
        return {}
    return dict(db.session.execute(
        select(Attachment.ticket_id, func.count(Attachment.id))
        .where(Attachment.ticket_id.in_(list(ticket_ids))).group_by(Attachment.ticket_id)
    ).all())


def get_attachment(user, attachment_id):
    """The photo if the user may see its ticket (the ticket scope, sensitive
    tickets included), else None: views answer 404."""
    if not is_row_id(attachment_id):
        return None
    return db.session.execute(
        select(Attachment).join(Ticket, Ticket.id == Attachment.ticket_id)
        .where(Attachment.id == attachment_id, scope.ticket_condition(user, Ticket))
    ).scalar_one_or_none()


def image_bytes(attachment, size):
    """The stored bytes of the photo (``full``) or its thumbnail (``thumb``)."""
    return storage_of(attachment).load(attachment, size)
