"""The tickets blueprint: its URL rules, menu entries and commands; create_app registers it."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.navigation import add_nav_item
from tracker.tickets import cli, routes

bp = Blueprint("tickets", __name__, url_prefix="/tickets", cli_group=None)

add_nav_item("tickets.new", _l("New ticket"), roles=("babinsa", "koramil", "kodim"), order=14)
add_nav_item("tickets.index", _l("Tickets"), order=20)
add_nav_item("tickets.triage", _l("Triage"), roles=("koramil", "kodim", "admin"), order=22)
add_nav_item("tickets.escalations", _l("Escalations"), roles=("kodim", "admin"), order=23)
add_nav_item("tickets.overdue", _l("Overdue"), roles=("koramil", "kodim", "admin"), order=24)

bp.app_context_processor(routes._labels)
bp.add_url_rule("/", view_func=routes.index)
bp.add_url_rule("/export.csv", view_func=routes.export)
bp.add_url_rule("/triage", view_func=routes.triage)
bp.add_url_rule("/escalations", view_func=routes.escalations)
bp.add_url_rule("/overdue", view_func=routes.overdue)
bp.add_url_rule("/new", methods=["GET", "POST"], view_func=routes.new)
bp.add_url_rule("/similar", view_func=routes.similar)
bp.add_url_rule("/<int:ticket_id>/same", methods=["POST"], view_func=routes.same_problem)
bp.add_url_rule("/<int:ticket_id>", view_func=routes.detail)
bp.add_url_rule("/<int:ticket_id>/transition", methods=["POST"], view_func=routes.act)
bp.add_url_rule("/<int:ticket_id>/confirm", methods=["POST"], view_func=routes.confirm)
bp.add_url_rule("/<int:ticket_id>/duplicate", view_func=routes.duplicate)
bp.add_url_rule("/<int:ticket_id>/reclassify", methods=["POST"], view_func=routes.reclassify_view)
bp.add_url_rule("/<int:ticket_id>/comment", methods=["POST"], view_func=routes.comment)
bp.add_url_rule("/<int:ticket_id>/photos", methods=["POST"], view_func=routes.add_photo)

bp.cli.add_command(cli.tickets_cli)
