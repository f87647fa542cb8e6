"""Login, logout and the current user."""
from flask import Blueprint

bp = Blueprint("auth", __name__, cli_group=None)

from tracker.auth import cli, routes  # noqa: E402,F401
