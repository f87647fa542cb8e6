"""Around every request: its id, its metrics and its log line (installed by the ops blueprint)."""
import time

from flask import g, request

from tracker.ops.logs import log_request, request_id_from
from tracker.ops.metrics import observe_request

REQUEST_ID_HEADER = "X-Request-Id"


def start():
    """before_request (the first one): note the time and the request id."""
    g.request_started = time.perf_counter()
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))


def _user_id():
    """The id of the user the request was served to (session or bearer token), without a query."""
    user = g.get("api_user") or g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return getattr(user, "id", None)
    return None


def finish(response):
    """after_request (the last one): answer the request id, count the request, write its line."""
    started = g.get("request_started")
    if started is None:   # a request that never reached the hooks (an earlier hook failed)
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        started = time.perf_counter()
    seconds = time.perf_counter() - started
    endpoint = request.url_rule.endpoint if request.url_rule is not None else "none"
    response.headers[REQUEST_ID_HEADER] = g.request_id
    observe_request(endpoint, response.status_code, seconds)
    log_request(request, response, endpoint=endpoint, seconds=seconds, user_id=_user_id())
    return response
