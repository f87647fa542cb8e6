"""The regions blueprint: its URL rules and commands; create_app registers it."""
from flask import Blueprint

from tracker.regions import cli

bp = Blueprint("regions", __name__, cli_group=None)


bp.cli.add_command(cli.regions_cli)
