"""Logs an operator can search: a request id on every line, one line per request, plain or JSON.

Every request gets an id: the caller's ``X-Request-Id`` when it looks like
one (a proxy's or a load balancer's, 1-128 characters of letters, digits
and ``._:-``), else a new random one; it is answered as ``X-Request-Id``
and carried by every log line written while the request runs. When the
request is answered, one line says its method, path (never the query
string), endpoint, status, duration and user id. Nothing else of the
request is logged: no header, no cookie, no body, no query string, so no
password or token reaches a log.

``LOG_FORMAT=json`` writes each line as one JSON object (python-json-logger)
with ``time``, ``level``, ``logger``, ``message``, ``request_id`` and the
line's fields; ``plain`` (the default) writes text. The handler goes on the
root logger, so library lines (gunicorn's aside, which has its own) share
the format; a process whose logging is already configured (gunicorn
``--log-config``, pytest) keeps its own handlers.
"""
import logging
import re
import sys
import uuid

from flask import g, has_request_context
from pythonjsonlogger.json import JsonFormatter

HANDLER_NAME = "waspada"
FORMATS = ("plain", "json")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

request_log = logging.getLogger("tracker.request")


def request_id_from(header):
    """The caller's request id when it is sane, else a new one (32 hex digits)."""
    if header and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def current_request_id():
    """The id of the request being served, or "-" outside one."""
    if has_request_context():
        return g.get("request_id") or "-"
    return "-"


def printable(text, limit=200):
    """``text`` with control characters escaped and cut at ``limit`` (a path cannot forge a log line)."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text[:limit])


class RequestIdFilter(logging.Filter):
    """Gives every record the request id of the request it was written in."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


def formatter(name):
    """The formatter of a LOG_FORMAT."""
    if name == "json":
        return JsonFormatter("%(levelname)s %(name)s %(message)s", timestamp="time",
                             rename_fields={"levelname": "level", "name": "logger"}, json_ensure_ascii=False)
    return logging.Formatter(PLAIN_FORMAT)


def make_handler(name, stream):
    """A stream handler writing LOG_FORMAT ``name`` lines, each with its request id."""
    handler = logging.StreamHandler(stream)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(formatter(name))
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging(app):
    """Send the app's log lines to standard error in LOG_FORMAT, at LOG_LEVEL (tracker's loggers).

    Once per process: a second app updates the format. Refuses an unknown
    LOG_FORMAT or LOG_LEVEL, naming it.
    """
    name, level = app.config["LOG_FORMAT"], app.config["LOG_LEVEL"]
    if name not in FORMATS:
        raise RuntimeError(f"LOG_FORMAT must be one of {', '.join(FORMATS)} (got {name!r})")
    if not isinstance(logging.getLevelName(level), int):
        raise RuntimeError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR (got {level!r})")
    logging.getLogger("tracker").setLevel(level)
    root = logging.getLogger()
    ours = [handler for handler in root.handlers if handler.get_name() == HANDLER_NAME]
    if ours:
        ours[0].setFormatter(formatter(name))
    elif not root.handlers:
        root.addHandler(make_handler(name, sys.stderr))


def log_request(request, response, *, endpoint, seconds, user_id):
    """The request's one line: method, path, endpoint, status, duration, user id (and its request id)."""
    path = printable(request.path)
    status = response.status_code
    duration_ms = round(seconds * 1000, 1)
    request_log.log(
        logging.WARNING if status >= 500 else logging.INFO,
        "%s %s %s %d %.1f ms user=%s", request.method, path, endpoint, status, duration_ms, user_id or "-",
        extra={"request_id": g.get("request_id") or "-", "method": request.method, "path": path,
               "endpoint": endpoint, "status": status, "duration_ms": duration_ms, "user_id": user_id},
    )
