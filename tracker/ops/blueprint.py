"""The ops blueprint: GET /metrics, and the hooks around every request; create_app registers it first."""
from flask import Blueprint

from tracker.ops import requests, routes
from tracker.ops.logs import configure_logging

bp = Blueprint("ops", __name__)

bp.add_url_rule("/metrics", view_func=routes.metrics)
# Registered before every other blueprint, so the request's clock starts
# first and its line is written last.
bp.before_app_request(requests.start)
bp.after_app_request(requests.finish)
bp.record_once(lambda state: configure_logging(state.app))
