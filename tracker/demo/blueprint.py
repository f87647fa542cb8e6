"""The demo's command (``flask seed demo``) on a blueprint without pages; create_app registers it.

The command lives with the demo it loads, so ``tracker.cli``, which every
feature's commands import, imports no feature.
"""
from flask import Blueprint

from tracker.demo import cli

bp = Blueprint("demo", __name__, cli_group=None)

bp.cli.add_command(cli.seed_cli)
