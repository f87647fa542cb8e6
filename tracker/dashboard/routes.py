"""Dashboard pages: one start page per role, and the village page."""
from flask import abort, current_app, render_template
from flask_login import current_user, login_required

from tracker.dashboard import bp, charts, services
from tracker.elections.services import STAGE_LABELS
from tracker.tickets.models import SEVERITIES
from tracker.timeutil import utcnow


@bp.context_processor
def _labels():
    """Stage labels and the severity order for the dashboard templates.

    Ticket label maps come from the tickets blueprint's context processor.
    """
    return {"severities": SEVERITIES, "STAGE_LABELS": STAGE_LABELS}


@bp.route("/")
@login_required
def index():
    """What needs me today: the Babinsa's home, or the commander's dashboard."""
    now = utcnow()
    if current_user.role == "babinsa":
        return render_template(
            "dashboard/babinsa.html", now=now, silent_after_days=current_app.config["SILENT_AFTER_DAYS"],
            **services.babinsa_home(current_user, now),
        )
    data = services.commander_dashboard(current_user, now)
    figures = {
        "new": charts.flow_chart(data["flow"], "new"),
        "resolved": charts.flow_chart(data["flow"], "resolved"),
        "category": charts.category_chart(data["categories"]),
    }
    if data["area_level"]:
        figures["area"] = charts.area_chart(data["areas"], data["area_level"])
    return render_template("dashboard/index.html", now=now, charts=figures, **data)


@bp.route("/village/<code>")
@login_required
def village(code):
    """One village: its open tickets, visits, elections and silence (404 outside one's area)."""
    page = services.village_page(current_user, code, utcnow())
    if page is None:
        abort(404)
    return render_template("dashboard/village.html", **page)
