"""The web image endpoint: a ticket's photo for the logged-in user."""
from flask import request
from flask_login import current_user, login_required

from tracker.attachments.http import image_response


@login_required
def image(attachment_id):
    """A photo (``?size=thumb``: its thumbnail); 404 outside the ticket's scope."""
    return image_response(current_user, attachment_id, request.args.get("size"))
