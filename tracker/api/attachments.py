"""A ticket's photos over the API: upload, list, fetch.

Photos follow their ticket's scope exactly: every path goes through the
scoped ticket or attachment look-up, so outside it the answer is 404.
"""
from flask import abort, jsonify, request, url_for
from flask_babel import gettext as _

from tracker.api import idempotency
from tracker.api.common import current_api_user, token_required
from tracker.api.serializers import iso_time
from tracker.attachments.http import image_response
from tracker.attachments.services import MAX_PER_TICKET, add_photos, photos_of, read_uploads
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.idempotency.services import replay_response
from tracker.tickets.services import get_ticket

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


def _visible_ticket(ticket_id):
    ticket = get_ticket(current_api_user(), ticket_id)
    if ticket is None:
        abort(404)
    return ticket


@token_required
def upload_attachment(ticket_id):
    """Add one photo (multipart field ``file``); 201 with it. Idempotent with ``Idempotency-Key``."""
    claim = idempotency.claim()
    if claim.answer is not None:
        return replay_response(claim.answer)
    ticket = _visible_ticket(ticket_id)
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
    ticket = _visible_ticket(ticket_id)
    return jsonify({"items": [attachment_json(a) for a in photos_of(ticket)]})


@token_required
def attachment_image(attachment_id):
    """The photo's image (JPEG), or its thumbnail with ``size=thumb``."""
    return image_response(current_api_user(), attachment_id, request.args.get("size"))


# --- OpenAPI description ----------------------------------------------------

def _ref(kind, name):
    return {"$ref": f"#/components/{kind}/{name}"}


def _json(schema_name):
    return {"application/json": {"schema": _ref("schemas", schema_name)}}


_TOO_LARGE = {"description": "The request body is larger than the server's limit.", "content": _json("Error")}

OPENAPI_PATHS = {
    "/tickets/{ticket_id}/attachments": {
        "parameters": [_ref("parameters", "ticket_id")],
        "post": {
            "tags": ["attachments"], "operationId": "addTicketAttachment", "summary": "Add a photo to a ticket",
            "description": f"JPEG, PNG or WebP, at most {MAX_PER_TICKET} photos per ticket, for anyone who may "
                           "comment on the ticket. The server re-encodes the photo as JPEG: upright by its EXIF "
                           "orientation, every piece of metadata (EXIF GPS included) removed, at most 1600 px "
                           "on the long side, with a 320 px thumbnail. 422 names the file when it is of another "
                           "type, too large (`ATTACHMENT_MAX_BYTES`), has too many pixels or is damaged, or "
                           "when the ticket already has its photos.",
            "parameters": [idempotency.OPENAPI_PARAMETER],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": [FIELD],
                "properties": {FIELD: {"type": "string", "format": "binary"}},
            }}}},
            "responses": {
                "201": {"description": "The photo as stored.", "content": _json("Attachment")},
                "401": _ref("responses", "Unauthorized"),
                "403": _ref("responses", "Forbidden"),
                "404": _ref("responses", "NotFound"),
                "409": {"description": "The Idempotency-Key was used with a different request.",
                        "content": _json("Error")},
                "413": _TOO_LARGE,
                "422": _ref("responses", "ValidationFailed"),
            },
        },
        "get": {
            "tags": ["attachments"], "operationId": "listTicketAttachments", "summary": "A ticket's photos",
            "responses": {"200": {"description": "Every photo, oldest first.", "content": _json("AttachmentList")},
                          "401": _ref("responses", "Unauthorized"), "404": _ref("responses", "NotFound")},
        },
    },
    "/attachments/{attachment_id}": {
        "parameters": [{"name": "attachment_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "get": {
            "tags": ["attachments"], "operationId": "getAttachmentImage", "summary": "A photo's image",
            "description": "Follows the ticket's scope (404 outside it); `Cache-Control: private`.",
            "parameters": [{"name": "size", "in": "query", "description": "`thumb` for the 320 px thumbnail.",
                            "schema": {"type": "string", "enum": ["full", "thumb"], "default": "full"}}],
            "responses": {
                "200": {"description": "The image.",
                        "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}},
                "401": _ref("responses", "Unauthorized"),
                "404": _ref("responses", "NotFound"),
            },
        },
    },
}

OPENAPI_SCHEMAS = {
    "Attachment": {
        "type": "object",
        "required": ["id", "ticket_id", "content_type", "width", "height", "bytes", "created_at", "url",
                     "thumbnail_url"],
        "properties": {
            "id": {"type": "integer"},
            "ticket_id": {"type": "integer"},
            "content_type": {"type": "string", "example": "image/jpeg"},
            "width": {"type": "integer"},
            "height": {"type": "integer"},
            "bytes": {"type": "integer", "description": "Size of the stored image."},
            "created_at": {"type": "string", "format": "date-time", "description": "UTC, ISO 8601 with offset."},
            "url": {"type": "string", "example": "/api/v1/attachments/7"},
            "thumbnail_url": {"type": "string", "example": "/api/v1/attachments/7?size=thumb"},
        },
    },
    "AttachmentList": {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": _ref("schemas", "Attachment")}},
    },
}
