"""A ticket's photos over the API: upload, list, fetch.

Photos follow their ticket's scope exactly: every path goes through the
scoped ticket or attachment look-up, so outside it the answer is 404.
"""
from flask import jsonify, request, url_for
from flask_babel import gettext as _

from tracker.api import idempotency
from tracker.api.common import current_api_user, token_required, visible_ticket
from tracker.api.serializers import iso_time
from tracker.attachments.http import image_response
from tracker.attachments.services import add_photos, photos_of, read_uploads
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.idempotency.services import replay_response

FIELD = "file"


def attachment_json(attachment):
    """A photo's description, with the URLs of the image and its thumbnail."""
    url = url_for("api.attachment_image", attachment_id=attachment.id)
    return {
        "id": attachment.id,
        "ticket_id": attachment.ticket_id,
        "content_type": attachment.content_type,
        "width": attachment.width,
        "height": attachment.height,
        "bytes": attachment.byte_size,
        "created_at": iso_time(attachment.created_at),
        "url": url,
        "thumbnail_url": url_for("api.attachment_image", attachment_id=attachment.id, size="thumb"),
    }



@token_required
def upload_attachment(ticket_id):
    """Add one photo (multipart field ``file``); 201 with it. Idempotent with ``Idempotency-Key``.

    The ticket is looked up before the key is claimed: a 404 writes nothing.
    """
    ticket = visible_ticket(ticket_id)
    claim = idempotency.claim()
    if claim.answer is not None:
        return replay_response(claim.answer)
    uploads = read_uploads(request.files.getlist(FIELD))
    if len(uploads) > 1:
        raise ValidationError({FIELD: [_("Send one photo per request.")]})
    [attachment] = add_photos(current_api_user(), ticket, uploads, field=FIELD)
    answer = claim.save(201, attachment_json(attachment), kind="attachment", resource_id=attachment.id)
    db.session.commit()
    return jsonify(answer.body), answer.status


@token_required
def list_attachments(ticket_id):
    """The ticket's photos, oldest first."""
    ticket = visible_ticket(ticket_id)
    return jsonify({"items": [attachment_json(a) for a in photos_of(ticket)]})


@token_required
def attachment_image(attachment_id):
    """The photo's image (JPEG), or its thumbnail with ``size=thumb``."""
    return image_response(current_api_user(), attachment_id, request.args.get("size"))

