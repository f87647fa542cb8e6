"""Komsos visits: the Babinsa's villages, recording a visit with the problems heard."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.navigation import add_nav_item

bp = Blueprint("visits", __name__, url_prefix="/visits", cli_group=None)

add_nav_item("visits.villages", _l("My villages"), roles=("babinsa",), order=10)
add_nav_item("visits.new", _l("New visit"), roles=("babinsa",), order=12)
add_nav_item("visits.index", _l("Visits"), roles=("koramil", "kodim", "admin"), order=26)

from tracker.visits import routes  # noqa: E402,F401
