"""The field blueprint: its URL rules and template helpers; create_app registers it."""
from flask import Blueprint

from tracker.field import routes
from tracker.geo.location import geo_uri

bp = Blueprint("field", __name__, cli_group=None)

bp.add_app_template_global(routes.fresh_client_key)
bp.add_app_template_global(geo_uri)
bp.add_app_template_global(routes.theme_colour)
bp.add_url_rule("/sw.js", view_func=routes.service_worker)
bp.add_url_rule("/manifest.webmanifest", view_func=routes.manifest)
bp.add_url_rule("/field/csrf", view_func=routes.csrf_token)
bp.add_url_rule("/field/outbox", view_func=routes.outbox)
bp.add_url_rule("/offline", view_func=routes.offline)
