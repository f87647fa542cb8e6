"""Home page, /healthz, /healthz/jobs and the language switch."""
import logging

from flask import current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from tracker.auth.services import set_locale
from tracker.extensions import csrf, db
from tracker.jobs.health import job_health
from tracker.timeutil import utcnow
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


@csrf.exempt
def healthz_jobs():
    """The scheduler's jobs: 200 when each last succeeded within two of its periods, else 503 naming the late.

    Kept apart from /healthz, so a dead scheduler does not take the web
    workers out of a load balancer. The first check of a database whose
    jobs never ran starts watching them (see ``tracker.jobs.health``).
    """
    now = utcnow()
    try:
        health = job_health(now, watch=True)
        db.session.commit()
    except Exception:  # any driver error means "cannot tell" here
        log.exception("job health check: database unreachable")
        db.session.rollback()
        return jsonify({"status": "error", "database": "error"}), 503
    late = [job.name for job in health if job.is_late]
    body = {"status": "late" if late else "ok", "jobs": {job.name: job.as_json() for job in health}}
    if late:
        body["late"] = late
        return jsonify(body), 503
    return jsonify(body)


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
