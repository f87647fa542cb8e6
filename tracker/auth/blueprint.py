"""The auth blueprint: its URL rules and commands; create_app registers it."""
from flask import Blueprint

from tracker.auth import cli, routes

bp = Blueprint("auth", __name__, cli_group=None)

bp.add_url_rule("/login", methods=["GET", "POST"], view_func=routes.login)
bp.add_url_rule("/logout", methods=["POST"], view_func=routes.logout)
bp.add_url_rule("/settings", methods=["GET", "POST"], view_func=routes.settings)
bp.add_url_rule("/settings/sessions/<int:session_id>/end", methods=["POST"], view_func=routes.end_own_session)
bp.add_url_rule("/settings/sessions/end-others", methods=["POST"], view_func=routes.end_other_sessions)
bp.before_app_request(routes.note_activity)

bp.cli.add_command(cli.users_cli)
