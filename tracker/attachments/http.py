"""The image answer shared by the web page (/attachments/<id>) and the API (/api/v1/attachments/<id>)."""
from flask import Response, abort

from tracker.attachments.services import get_attachment, image_bytes
from tracker.attachments.storage import SIZES

# Photos are never public: browsers and the phone may keep a copy for
# themselves (offline viewing), shared caches may not.
CACHE_CONTROL = "private, max-age=86400"
EXTENSIONS = {"image/jpeg": "jpg"}


def image_response(user, attachment_id, size):
    """The photo, or with ``size="thumb"`` its thumbnail, for ``user``.

    404 when the photo's ticket is outside the user's scope (sensitive
    tickets included) or ``size`` is neither absent, ``full`` nor ``thumb``.
    """
    size = size or "full"
    if size not in SIZES:
        abort(404)
    attachment = get_attachment(user, attachment_id)
    if attachment is None:
        abort(404)
    response = Response(image_bytes(attachment, size), mimetype=attachment.content_type)
    suffix = "-thumb" if size == "thumb" else ""
    extension = EXTENSIONS.get(attachment.content_type, "bin")
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Content-Disposition"] = f'inline; filename="waspada-{attachment.id}{suffix}.{extension}"'
    return response
