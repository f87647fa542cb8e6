"""The backup commands on a blueprint without pages; create_app registers it."""
from flask import Blueprint

from tracker.backup import cli

bp = Blueprint("backup", __name__, cli_group=None)

bp.cli.add_command(cli.backup_cli)
