"""The main blueprint: its URL rules; create_app registers it."""
from flask import Blueprint

from tracker.main import routes

bp = Blueprint("main", __name__)

bp.add_url_rule("/", view_func=routes.index)
bp.add_url_rule("/healthz", view_func=routes.healthz)
bp.add_url_rule("/healthz/jobs", view_func=routes.healthz_jobs)
bp.add_url_rule("/lang/<code>", methods=["POST"], view_func=routes.set_language)
