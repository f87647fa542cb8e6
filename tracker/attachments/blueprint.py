"""The attachments blueprint: its URL rule; create_app registers it."""
from flask import Blueprint

from tracker.attachments import routes

bp = Blueprint("attachments", __name__, url_prefix="/attachments")

bp.add_url_rule("/<int:attachment_id>", view_func=routes.image)
