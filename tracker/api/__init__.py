"""The JSON API under /api/v1 (bearer tokens, no CSRF)."""
from flask import Blueprint

from tracker.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

from tracker.api.common import handle_service_errors  # noqa: E402

handle_service_errors(bp)
from tracker.api import auth, openapi, tickets, villages  # noqa: E402,F401
from tracker.api import elections, warnings  # noqa: E402,F401
