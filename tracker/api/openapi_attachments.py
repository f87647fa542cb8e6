"""The OpenAPI description of a ticket's photos (tracker/api/attachments.py)."""
from tracker.api.attachments import FIELD
from tracker.api.idempotency import OPENAPI_PARAMETER as IDEMPOTENCY_KEY
from tracker.api.openapi import TIME, error_responses, json_content
from tracker.attachments.imaging import MAX_SIDE, THUMBNAIL_SIDE
from tracker.attachments.services import MAX_PER_TICKET

_TOO_LARGE = {"description": "The request body is larger than the server's limit.", "content": json_content("Error")}

OPENAPI_PATHS = {
    "/tickets/{ticket_id}/attachments": {
        "parameters": [{"$ref": "#/components/parameters/ticket_id"}],
        "post": {
            "tags": ["attachments"], "operationId": "addTicketAttachment", "summary": "Add a photo to a ticket",
            "description": f"JPEG, PNG or WebP, at most {MAX_PER_TICKET} photos per ticket, for anyone who may "
                           "comment on the ticket. The server re-encodes the photo as JPEG: upright by its EXIF "
                           "orientation, every piece of metadata (EXIF GPS included) removed, at most "
                           f"{MAX_SIDE} px on the long side, with a {THUMBNAIL_SIDE} px thumbnail. 422 names the "
                           "file when it is of another type, too large (`ATTACHMENT_MAX_BYTES`), has too many "
                           "pixels or is damaged, or when the ticket already has its photos.",
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": [FIELD],
                "properties": {FIELD: {"type": "string", "format": "binary"}},
            }}}},
            "responses": {
                "201": {"description": "The photo as stored.", "content": json_content("Attachment")},
                **error_responses("401", "403", "404"),
                "409": {"description": "The Idempotency-Key was used with a different request.",
                        "content": json_content("Error")},
                "413": _TOO_LARGE,
                **error_responses("422"),
            },
        },
        "get": {
            "tags": ["attachments"], "operationId": "listTicketAttachments", "summary": "A ticket's photos",
            "responses": {
                "200": {"description": "Every photo, oldest first.", "content": json_content("AttachmentList")},
                **error_responses("401", "404"),
            },
        },
    },
    "/attachments/{attachment_id}": {
        "parameters": [{"name": "attachment_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "get": {
            "tags": ["attachments"], "operationId": "getAttachmentImage", "summary": "A photo's image",
            "description": "Follows the ticket's scope (404 outside it); `Cache-Control: private`.",
            "parameters": [{"name": "size", "in": "query",
                            "description": f"`thumb` for the {THUMBNAIL_SIDE} px thumbnail.",
                            "schema": {"type": "string", "enum": ["full", "thumb"], "default": "full"}}],
            "responses": {
                "200": {"description": "The image.",
                        "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}},
                **error_responses("401", "404"),
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
            "created_at": TIME,
            "url": {"type": "string", "example": "/api/v1/attachments/7"},
            "thumbnail_url": {"type": "string", "example": "/api/v1/attachments/7?size=thumb"},
        },
    },
    "AttachmentList": {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Attachment"}}},
    },
}
