"""Home page, /healthz and the language switch."""
import logging

from flask import current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from tracker.auth.services import set_locale
from tracker.extensions import csrf, db
from tracker.web import commit_or_rollback

log = logging.getLogger("tracker.health")


@login_required
def index():
    """Everyone starts on his dashboard."""
    return redirect(url_for("dashboard.index"))


@csrf.exempt
def healthz():
    """Liveness and database reachability for load balancers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means "unreachable" here
        log.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify({"status": "error", "database": "error"}), 503
    return jsonify({"status": "ok", "database": "ok"})


def set_language(code):
    """Switch language: saved on the user, or in the session before login."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            commit_or_rollback(lambda: set_locale(current_user, code))
    target = request.form.get("next") or request.referrer or url_for("main.index")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.index")
    return redirect(target)
