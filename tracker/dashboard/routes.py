"""Dashboard pages."""
from flask import render_template
from flask_login import login_required

from tracker.dashboard import bp


@bp.route("/")
@login_required
def index():
    """The user's start page."""
    return render_template("dashboard/index.html")
