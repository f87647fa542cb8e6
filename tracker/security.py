"""Security at the edge of every request: strict response headers, and one
input boundary that refuses characters no field may hold.

Headers: a Content-Security-Policy without inline script or style (the app
ships its scripts and styles as static files), no framing, no MIME sniffing,
a same-origin referrer, only the camera and geolocation for the app itself,
and HSTS under production. A view that must answer with a different policy
(an email preview, an SVG chart with its own styles) sets the header itself
and keeps it.

Input: NUL (PostgreSQL cannot store it in text) and lone surrogates (not
encodable as UTF-8) are refused in the path, the query string, uploaded
file names and JSON bodies (and form fields of JSON callers), before any
view runs, on both databases: 404 for a path (no such page), otherwise 422
naming the field in JSON for the API and JSON callers, or a 400 page naming
it for a browser. A browser's form fields are refused by the form itself
(``tracker.forms.Form``), under the field.
"""
from functools import wraps

from flask import current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _

from tracker.errors import wants_json

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
PERMISSIONS_POLICY = (
    "camera=(self), geolocation=(self), microphone=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=()"
)
HSTS = "max-age=31536000; includeSubDomains"
# An email is HTML with inline styles by nature (mail clients drop style sheets);
# the preview shows it in a sandboxed srcdoc frame, which inherits the page's
# policy, so that page alone allows inline style. Scripts stay forbidden.
EMAIL_PREVIEW_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
# A chart is a standalone SVG image carrying its own <style>.
SVG_IMAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def security_headers(response):
    """Add the security headers to a response, keeping any a view set itself."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def with_policy(policy):
    """View decorator: answer with this Content-Security-Policy instead of the default."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            response = make_response(view(*args, **kwargs))
            response.headers["Content-Security-Policy"] = policy
            return response

        return wrapped

    return decorate


def is_forbidden_text(value):
    """True when a string holds NUL or a lone surrogate (U+D800..U+DFFF).

    ``None`` is not text: a multipart part whose name does not parse has no key.
    """
    if value is None:
        return False
    return any(ch == "\x00" or "\ud800" <= ch <= "\udfff" for ch in value)


def _bad_json_field(value, path="body"):
    """The dotted name of the first string (key or value) in a JSON value that is forbidden."""
    if isinstance(value, str):
        return path if is_forbidden_text(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = key if path == "body" else f"{path}.{key}"
            if is_forbidden_text(key):
                return name
            found = _bad_json_field(item, name)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _bad_json_field(item, f"{path}.{index}")
            if found:
                return found
    return None


def forbidden_input_field():
    """The name of the first request field holding a forbidden character, or None."""
    # A browser's form fields are checked by the forms themselves (tracker.forms.Form),
    # so the mistake shows under its field; JSON callers get the 422 from here.
    sources = (request.args, request.form) if wants_json() else (request.args,)
    for source in sources:
        for key, values in source.lists():
            if is_forbidden_text(key) or any(is_forbidden_text(v) for v in values):
                return key
    for key, files in request.files.lists():
        if is_forbidden_text(key) or any(is_forbidden_text(f.filename or "") for f in files):
            return key
    if request.is_json:
        try:
            data = request.get_json(silent=True)
        except RecursionError:  # the API answers nesting this deep with its own 422
            data = None
        return _bad_json_field(data)
    return None


def refuse_forbidden_input():
    """before_request: answer 404/422/400 when the request carries NUL or a lone surrogate."""
    if is_forbidden_text(request.path):
        message = _("Not found.")
        if wants_json():
            return jsonify({"error": message}), 404
        return render_template("errors/error.html", code=404, message=message), 404
    field = forbidden_input_field()
    if field is None:
        return None
    field = field.replace("\x00", "\\x00").encode("ascii", "backslashreplace").decode("ascii")
    message = _("Contains a character that is not allowed (NUL or an invalid code point).")
    if wants_json():
        return jsonify({"errors": {field: [message]}}), 422
    page_message = _("The field %(field)s contains a character that is not allowed "
                     "(NUL or an invalid code point).", field=field)
    return render_template("errors/error.html", code=400, message=page_message), 400


def init_app(app):
    """Install the input boundary and the response headers on every request."""
    app.before_request(refuse_forbidden_input)
    app.after_request(security_headers)
