"""The admin blueprint: its URL rules and commands; create_app registers it."""
from flask import Blueprint

from tracker.admin import cli, routes

bp = Blueprint("admin", __name__, url_prefix="/admin", cli_group=None)

bp.add_url_rule("/users", view_func=routes.users)
bp.add_url_rule("/users/new", methods=["GET", "POST"], view_func=routes.new_user)
bp.add_url_rule("/users/<int:user_id>", methods=["GET", "POST"], view_func=routes.edit_user)
bp.add_url_rule("/users/<int:user_id>/sessions/end", methods=["POST"], view_func=routes.end_user_sessions)
bp.add_url_rule("/units", view_func=routes.units)

bp.cli.add_command(cli.units_cli)
