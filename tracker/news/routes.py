"""News pages: the *Kabar* feed and the Babinsa's "Waiting for me" list.

Views parse the page number, call the services and render; opening the
feed marks it read, and the request commits once.
"""
from flask import current_app, render_template
from flask_login import current_user, login_required

from tracker.auth.decorators import roles_required
from tracker.extensions import db
from tracker.news import services
from tracker.params import page_arg
from tracker.tickets.listing import ticket_page
from tracker.warnings.models import flagged_ids

# A Babinsa's waiting list is short; its count is exact.
WAITING_COUNT_CAP = 10_000


@login_required
def index():
    """The user's feed, newest first; opening it marks everything in it read."""
    page = services.feed_page(current_user, page_arg())
    services.mark_read(current_user, page.newest_event_id)
    db.session.commit()
    return render_template("news/index.html", page=page)


@roles_required("babinsa")
def waiting():
    """The tickets that wait for the Babinsa's action: exactly what his home page counts."""
    page = ticket_page(services.waiting_tickets(current_user), page_arg(), current_app.config["PER_PAGE"],
                       cap=WAITING_COUNT_CAP)
    return render_template("news/waiting.html", page=page, flags=flagged_ids([t.id for t in page.items]))
