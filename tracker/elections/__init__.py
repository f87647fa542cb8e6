"""Elections: the calendar the early warning works from."""
from flask import Blueprint

bp = Blueprint("elections", __name__, cli_group=None)

from tracker.elections import cli, routes  # noqa: E402,F401
