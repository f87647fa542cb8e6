"""The dashboard: what needs me today."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from tracker.dashboard import routes  # noqa: E402,F401
