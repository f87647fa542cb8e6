"""The digests blueprint: its URL rules, menu entries and commands; create_app registers it."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.digests import cli, routes
from tracker.digests.services import RECIPIENT_ROLES
from tracker.navigation import add_nav_item

bp = Blueprint("digests", __name__, cli_group=None)

add_nav_item("digests.preview", _l("My digest"), roles=RECIPIENT_ROLES, order=80)
add_nav_item("digests.delivery_log", _l("Delivery log"), roles=("admin",), order=90)

bp.add_url_rule("/digest", view_func=routes.preview)
bp.add_url_rule("/admin/outbox", view_func=routes.delivery_log)
bp.add_url_rule("/admin/outbox/<int:message_id>", view_func=routes.message)
bp.add_url_rule("/admin/outbox/<int:message_id>/retry", methods=["POST"], view_func=routes.retry)

bp.cli.add_command(cli.digest_cli)
bp.cli.add_command(cli.outbox_cli)
