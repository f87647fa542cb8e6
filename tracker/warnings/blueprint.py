"""The warnings blueprint: its URL rules, menu entries and commands; create_app registers it."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.navigation import add_nav_item
from tracker.warnings import cli, flags, routes, silence

bp = Blueprint("warnings", __name__, cli_group=None)

# A change of the calendar or a visit keeps the sweep's silent-village snapshot honest.
silence.listen()

add_nav_item("warnings.index", _l("Early warning"), order=30)

bp.app_context_processor(routes.flag_helpers)
# The elections' remove page says how many flags a removal clears: flags are ours to count.
bp.app_context_processor(lambda: {"active_flag_count": flags.active_flag_count})
# Flags follow their elections in every application that registers this blueprint.
bp.record_once(flags.connect_election_signals)
bp.add_url_rule("/warnings", view_func=routes.index)
bp.add_url_rule("/warnings/silent", view_func=routes.silent)

bp.cli.add_command(cli.sweep_command)
bp.cli.add_command(cli.scheduler_command)
bp.cli.add_command(cli.jobs_cli)
