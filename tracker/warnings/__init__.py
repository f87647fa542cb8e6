"""Early warning: flags, the sweep, hotspots, silent villages; the scheduler commands."""
from flask import Blueprint

bp = Blueprint("warnings", __name__, cli_group=None)

from tracker.warnings import cli, routes  # noqa: E402,F401
