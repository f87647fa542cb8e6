"""Tickets: filing, the life cycle, queues, list, CSV export."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.navigation import add_nav_item

bp = Blueprint("tickets", __name__, url_prefix="/tickets", cli_group="tickets")

add_nav_item("tickets.new", _l("New ticket"), roles=("babinsa", "koramil", "kodim"), order=14)
add_nav_item("tickets.index", _l("Tickets"), order=20)
add_nav_item("tickets.triage", _l("Triage"), roles=("koramil", "kodim", "admin"), order=22)
add_nav_item("tickets.escalations", _l("Escalations"), roles=("kodim", "admin"), order=23)
add_nav_item("tickets.overdue", _l("Overdue"), roles=("koramil", "kodim", "admin"), order=24)

from tracker.tickets import cli, routes  # noqa: E402,F401
