"""Static files fingerprinted by their content, cached for a year.

``url_for("static", filename="app.css")`` gives ``/static/app.css?v=<hash>``,
``<hash>`` the first 12 hex digits of the file's SHA-256: a changed file gets
a new URL, so its answer can be kept forever. The static route answers a URL
whose ``v`` is the file's current hash with ``Cache-Control: public,
max-age=31536000, immutable``; the same file without ``v``, or with another
``v`` (a page of the last release asking for its old file), is served as it
is now with ``no-cache``, as before. Pages (HTML) keep their headers: they
are not cached.

A static answer sets no cookie and does not vary by cookie: the same file
for everyone, which a phone keeps across logins (the session cookie changes)
instead of asking again.
"""
import hashlib
import os
import stat
from functools import lru_cache

from flask import current_app, request
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
HASH_LENGTH = 12
VERSION_ARG = "v"


@lru_cache(maxsize=1024)
def _content_hash(path, _mtime_ns, _size):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()[:HASH_LENGTH]


def fingerprint(filename):
    """The content hash of a file of the static folder; None when there is no such file.

    Memoized by path, modification time and size: a file changed in place
    (development) gets its new hash at the next request.
    """
    path = safe_join(current_app.static_folder, filename)
    if path is None:
        return None
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return _content_hash(path, info.st_mtime_ns, info.st_size)


def add_fingerprint(endpoint, values):
    """url_defaults: a static file's URL carries its content hash (``?v=``) unless one is given."""
    if endpoint == "static" and VERSION_ARG not in values and "filename" in values:
        version = fingerprint(values["filename"])
        if version is not None:
            values[VERSION_ARG] = version


def static_file(filename):
    """The static route: immutable for a year when ``v`` is the file's current hash, else ``no-cache``."""
    response = current_app.send_static_file(filename)
    version = request.args.get(VERSION_ARG)
    if version is not None and version == fingerprint(filename):
        response.headers["Cache-Control"] = IMMUTABLE
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response


def _static_aware(interface_class):
    class StaticAwareSessionInterface(interface_class):
        """The app's session interface, except that a static file's answer leaves the session alone."""

        def save_session(self, app, session, response):
            if request.endpoint == "static":
                return
            super().save_session(app, session, response)

    return StaticAwareSessionInterface


def init_app(app):
    """Fingerprint static URLs and serve them with long caching."""
    app.url_defaults(add_fingerprint)
    app.view_functions["static"] = static_file
    app.session_interface = _static_aware(type(app.session_interface))()
