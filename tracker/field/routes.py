"""The phone's side of the app: service worker, manifest, CSRF token for the outbox, outbox and offline pages."""
import hashlib
import json
import os
import re
import uuid
from functools import lru_cache
from importlib.metadata import version

from flask import current_app, jsonify, render_template, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from tracker.web import session_ended

SERVICE_WORKER = "sw.js"
ICON_SIZES = (192, 512)
# Pages a Babinsa needs without a signal: precached when the service worker installs.
OFFLINE_PAGES = ("main.index", "visits.villages", "tickets.new", "visits.new", "field.outbox")
# Answers the service worker never keeps, whatever their type.
NEVER_CACHED = ("/api/", "/attachments")


def fresh_client_key():
    """A new idempotency key for a create form (its hidden ``client_key``)."""
    return str(uuid.uuid4())


@lru_cache(maxsize=4)
def _brand_colour(css_path):
    with open(css_path, encoding="utf-8") as handle:
        return re.search(r"--brand:\s*(#[0-9a-fA-F]{3,8})", handle.read()).group(1)


def theme_colour():
    """The app's brand colour (``--brand`` in app.css), for the manifest and the browser's bar."""
    return _brand_colour(os.path.join(current_app.static_folder, "app.css"))


def static_files():
    """Paths of every file under the static folder, relative to it, sorted."""
    root = current_app.static_folder
    found = []
    for folder, _dirs, files in os.walk(root):
        found.extend(os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/") for name in files)
    return sorted(found)


@lru_cache(maxsize=8)
def _digest(root, stamps):
    digest = hashlib.sha256()
    for name, _mtime, _size in stamps:
        digest.update(name.encode() + b"\0")
        with open(os.path.join(root, name), "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()[:12]


def release():
    """The app's version and a hash of its static files: a new release gets new caches on the phone.

    The content hash (not the modification times, which are only the key of
    the memo) makes every web host of one release answer the same version.
    """
    root = current_app.static_folder
    stamps = tuple((name, *_stamp(os.path.join(root, name))) for name in static_files())
    return f"{version('waspada')}-{_digest(root, stamps)}"


def _stamp(path):
    info = os.stat(path)
    return info.st_mtime_ns, info.st_size


def service_worker():
    """The service worker, at the root so that its scope is the whole app.

    The script is ``static/sw.js`` after one line of settings the server knows
    (the release, the URLs to precache), so the phone notices a new release
    as a changed worker and replaces its caches. The script is never kept
    (``no-cache``); the files it names carry their content hash and are.
    """
    current = release()
    settings = {
        "release": current,
        "pages": [url_for(endpoint) for endpoint in OFFLINE_PAGES],
        "offline": url_for("field.offline"),
        # Fingerprinted URLs (tracker.assets), as the pages ask for them: one copy each.
        "statics": [url_for("static", filename=name) for name in static_files() if name != SERVICE_WORKER]
        + [url_for("field.manifest")],
        # The URL the pages load it from, so the browser fetches and keeps it once.
        "outbox": url_for("static", filename="outbox.js"),
        "csrf": url_for("field.csrf_token"),
        "login": url_for("auth.login"),
        "never_cached": [*NEVER_CACHED, url_for("field.csrf_token")],
    }
    with open(os.path.join(current_app.static_folder, SERVICE_WORKER), encoding="utf-8") as handle:
        script = handle.read()
    response = current_app.response_class(
        f"self.WASPADA = {json.dumps(settings)};\n{script}", mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


def manifest():
    """The web app manifest: installable as "Waspada", opening on the user's home page."""
    # Full-bleed squares with the mark inside the safe zone: fit for both purposes.
    icons = [{"src": url_for("static", filename=f"icons/waspada-{size}.png"), "sizes": f"{size}x{size}",
              "type": "image/png", "purpose": purpose} for purpose in ("any", "maskable") for size in ICON_SIZES]
    data = {
        "name": "Waspada", "short_name": "Waspada", "lang": str(get_locale()), "dir": "ltr",
        "description": _("Early warning of village problems ahead of elections."),
        "start_url": url_for("main.index"), "scope": "/", "display": "standalone",
        "background_color": "#ffffff", "theme_color": theme_colour(), "icons": icons,
    }
    return current_app.response_class(json.dumps(data, ensure_ascii=False), mimetype="application/manifest+json")


def csrf_token():
    """A CSRF token for the outbox, fetched before each send: a token in a page kept for a day may be stale.

    Answers 401 in JSON (never a redirect to the login page) when the
    session has ended, so the phone keeps its reports and asks him to log in.
    """
    if not current_user.is_authenticated:
        response = session_ended()
    else:
        response = jsonify(csrf_token=generate_csrf(), user_id=current_user.id)
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
def outbox():
    """The reports waiting on this phone (the list is read from the browser's IndexedDB)."""
    return render_template("field/outbox.html")


def offline():
    """What the service worker shows for a page that cannot be opened without a connection."""
    return render_template("field/offline.html")
