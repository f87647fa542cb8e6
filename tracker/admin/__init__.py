"""Administration: users, units."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", cli_group=None)

from tracker.admin import cli, routes  # noqa: E402,F401
