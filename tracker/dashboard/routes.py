"""Dashboard pages: one start page per role, its charts as images, and the village page."""
from flask import abort, current_app, render_template, request
from flask_login import current_user, login_required

from tracker.dashboard import charts, services
from tracker.elections.services import STAGE_LABELS
from tracker.jobs.health import sweep_health
from tracker.news import services as news
from tracker.tickets.models import SEVERITIES
from tracker.security import SVG_IMAGE_POLICY
from tracker.timeutil import utcnow

# A browser keeps a chart five minutes; its URL changes as soon as its numbers do.
CHART_MAX_AGE = 300


def _labels():
    """Stage labels and the severity order for the dashboard templates.

    Ticket label maps come from the tickets blueprint's context processor.
    """
    return {"severities": SEVERITIES, "STAGE_LABELS": STAGE_LABELS}


@login_required
def index():
    """What needs me today: the Babinsa's home, or the commander's dashboard."""
    now = utcnow()
    if current_user.role == "babinsa":
        home = services.babinsa_home(current_user, now)
        # "Waiting for me" is what waits for his own action (news.services.waiting_condition).
        home["headline"] = dict(home["headline"], waiting=news.waiting_count(current_user))
        return render_template(
            "dashboard/babinsa.html", now=now, silent_after_days=current_app.config["SILENT_AFTER_DAYS"],
            unread_news=news.unread_count(current_user), **home,
        )
    data = services.commander_dashboard(current_user, now)
    figures = {
        "new": charts.figure("new", data["flow"]),
        "resolved": charts.figure("resolved", data["flow"]),
        "category": charts.figure("category", data["categories"]),
        "area": charts.figure("area", data["areas"], data["area_level"]),
    }
    # The admin and the Kodim are told when the early warning itself has stopped (the scheduler is dead).
    sweep = sweep_health(now) if current_user.role in ("admin", "kodim") else None
    return render_template("dashboard/index.html", now=now, charts=figures,
                           sweep_late=sweep if sweep is not None and sweep.is_late else None, **data)


@login_required
def chart(name):
    """One chart of the user's dashboard as an SVG image, drawn from his own scoped numbers.

    Private to the browser for five minutes; the ETag is the numbers' digest,
    so a revalidation answers 304 without drawing. 404 for a chart the
    user's dashboard does not have or that has nothing to draw.
    """
    if name not in charts.NAMES:
        abort(404)
    data = services.chart_data(current_user, name, utcnow())
    fig = None if data is None else charts.figure(name, data, services.area_level(current_user))
    if fig is None:
        abort(404)
    response = current_app.response_class(mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_IMAGE_POLICY
    response.set_etag(fig.version)
    response.cache_control.private = True
    response.cache_control.max_age = CHART_MAX_AGE
    response.vary.add("Cookie")
    if request.if_none_match.contains(fig.version):
        response.status_code = 304
    else:
        response.set_data(charts.svg(fig, data))
    return response


@login_required
def village(code):
    """One village: its open tickets, visits, elections and silence (404 outside one's area)."""
    page = services.village_page(current_user, code, utcnow())
    if page is None:
        abort(404)
    return render_template("dashboard/village.html", **page)
