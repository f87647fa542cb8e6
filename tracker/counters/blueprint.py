"""The counters blueprint: no pages; its ORM listeners and the ``flask counters`` commands. create_app registers it."""
from flask import Blueprint

from tracker.counters import cli, tally

bp = Blueprint("counters", __name__, cli_group=None)

tally.listen()
bp.cli.add_command(cli.counters_cli)
