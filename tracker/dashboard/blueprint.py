"""The dashboard blueprint: its URL rules; create_app registers it."""
from flask import Blueprint

from tracker.dashboard import routes

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

bp.context_processor(routes._labels)
bp.add_url_rule("/", view_func=routes.index)
bp.add_url_rule("/chart/<name>.svg", view_func=routes.chart)
bp.add_url_rule("/village/<code>", view_func=routes.village)
