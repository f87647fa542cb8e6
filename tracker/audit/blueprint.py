"""The audit blueprint: its page, its command and its signal handler; create_app registers it."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from tracker.audit import cli, routes, services
from tracker.navigation import add_nav_item

bp = Blueprint("audit", __name__, url_prefix="/admin/audit", cli_group=None)

bp.add_url_rule("", view_func=routes.index)
bp.record_once(services.connect_security_events)

bp.cli.add_command(cli.audit_cli)
add_nav_item("audit.index", _l("Audit log"), roles=("admin",), order=95)
