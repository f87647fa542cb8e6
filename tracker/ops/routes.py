"""GET /metrics: Prometheus text, only with the bearer token METRICS_TOKEN (404 while it is unset)."""
import hmac

from flask import abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST

from tracker.ops.metrics import exposition


def _refused(status, text):
    response = current_app.response_class(text + "\n", status=status, mimetype="text/plain")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return response


def metrics():
    """The metrics, to a scraper that presents the token (compared in constant time)."""
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer" or not given:
        return _refused(401, "A bearer token is required.")
    if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), token.encode("utf-8")):
        return _refused(403, "Wrong token.")
    response = current_app.response_class(exposition(), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
