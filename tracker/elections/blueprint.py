"""The elections blueprint: its URL rules, menu entries and commands; create_app registers it."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.elections import cli, routes
from tracker.navigation import add_nav_item

bp = Blueprint("elections", __name__, cli_group=None)

add_nav_item("elections.index", _l("Elections"), roles=("koramil", "kodim", "admin"), order=40)

bp.add_url_rule("/elections", view_func=routes.index)
bp.add_url_rule("/elections/new", methods=["GET", "POST"], view_func=routes.new)
bp.add_url_rule("/elections/<int:election_id>/edit", methods=["GET", "POST"], view_func=routes.edit)
bp.add_url_rule("/elections/<int:election_id>/remove", methods=["GET", "POST"], view_func=routes.remove)
bp.add_url_rule("/elections/<int:election_id>", view_func=routes.detail)

bp.cli.add_command(cli.elections_cli)
