"""The retention command on a blueprint without pages; create_app registers it."""
from flask import Blueprint

from tracker.retention import cli

bp = Blueprint("retention", __name__, cli_group=None)

bp.cli.add_command(cli.retention_cli)
