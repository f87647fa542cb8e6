"""The visits blueprint: its URL rules, menu entries; create_app registers it."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.navigation import add_nav_item
from tracker.visits import routes

bp = Blueprint("visits", __name__, url_prefix="/visits", cli_group=None)

add_nav_item("visits.villages", _l("My villages"), roles=("babinsa",), order=10)
add_nav_item("visits.new", _l("New visit"), roles=("babinsa",), order=12)
add_nav_item("visits.index", _l("Visits"), roles=("koramil", "kodim", "admin"), order=26)

bp.add_url_rule("/villages", view_func=routes.villages)
bp.add_url_rule("/new", methods=["GET", "POST"], view_func=routes.new)
bp.add_url_rule("/similar", view_func=routes.similar)
bp.add_url_rule("/<int:visit_id>", view_func=routes.detail)
bp.add_url_rule("/", view_func=routes.index)
