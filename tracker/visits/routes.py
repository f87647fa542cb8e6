"""Visit pages: the Babinsa's villages, recording a visit with its tickets, visit lists."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone, gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from tracker import scope
from tracker.auth.decorators import roles_required
from tracker.errors import Forbidden, ValidationError
from tracker.extensions import db
from tracker.regions.models import Region
from tracker.tickets.forms import apply_errors, village_options
from tracker.tickets.models import Ticket
from tracker.tickets.routes import draft_key, drafts_done, mark_draft_done, page_number
from tracker.tickets.services import is_row_id, open_ticket_counts
from tracker.timeutil import local_date, utcnow
from tracker.visits.forms import VisitForm
from tracker.visits.models import Visit
from tracker.visits.services import last_visits, record_visit_with_tickets, visible_visits
from tracker.warnings.models import flagged_ids

VILLAGES_PER_PAGE = 50


def local_today():
    """Today in the user's time zone (WIB/WITA/WIT)."""
    return local_date(utcnow(), str(get_timezone()))


@login_required
def villages():
    """The user's villages with open tickets and last visit (paginated for large areas)."""
    district = aliased(Region)
    stmt = (
        scope.villages(current_user)
        .join(district, district.code == Region.district_code)
        .order_by(district.name, Region.name, Region.code)
    )
    page = db.paginate(stmt, page=page_number(), per_page=VILLAGES_PER_PAGE, error_out=False)
    codes = [v.code for v in page.items]
    district_names = dict(db.session.execute(
        select(Region.code, Region.name).where(Region.code.in_({v.district_code for v in page.items}))
    ).all())
    return render_template(
        "visits/villages.html", page=page, today=local_today(), district_names=district_names,
        open_counts=open_ticket_counts(current_user, codes), last_visit=last_visits(current_user, codes),
    )


def visit_form_context(form):
    """What the visit form template needs besides the form."""
    return {"form": form, "villages": village_options(current_user), "today": local_today().isoformat(),
            "draft": draft_key("visit")}


@roles_required("babinsa", "koramil", "kodim", "admin")
def new():
    """Record a visit and, in the same submit, the problems heard there (all or nothing).

    "Add another problem" re-renders the form with one more ticket entry and
    saves nothing, so it works without JavaScript.
    """
    if request.method == "GET":
        form = VisitForm(formdata=None, village_code=request.args.get("village_code", ""),
                         visited_on=local_today().isoformat())
        return render_template("visits/new.html", **visit_form_context(form))
    form = VisitForm()
    if "add_ticket" in request.form or not form.validate_on_submit():
        if len(form.tickets.entries) < form.tickets.max_entries:
            form.tickets.append_entry()
        return render_template("visits/new.html", **visit_form_context(form))
    tickets = [
        {"category": entry.category.data, "severity": entry.severity.data, "title": entry.title.data,
         "description": entry.description.data, "parties": entry.parties.data,
         "sensitive": entry.sensitive.data}
        for entry in (e.form for e in form.tickets.entries) if not entry.is_blank()
    ]
    # Error names count the non-blank entries; keep the form's own indexes.
    filled = [i for i, e in enumerate(form.tickets.entries) if not e.form.is_blank()]
    try:
        visit, created = record_visit_with_tickets(
            current_user, village_code=form.village_code.data, visited_on=form.visited_on.data,
            met_with=form.met_with.data, notes=form.notes.data, tickets=tickets,
        )
    except ValidationError as error:
        db.session.rollback()
        apply_errors(form, {_entry_name(name, filled): messages for name, messages in error.errors.items()})
        return render_template("visits/new.html", **visit_form_context(form)), 422
    except Forbidden as error:
        db.session.rollback()
        apply_errors(form, {"village_code": [str(error.args[0])]})
        return render_template("visits/new.html", **visit_form_context(form)), 403
    db.session.commit()
    mark_draft_done("visit")
    if created:
        flash(_("Visit recorded with %(n)d ticket(s): %(refs)s.", n=len(created),
                refs=", ".join(t.ref for t in created)), "success")
    else:
        flash(_("Visit recorded."), "success")
    return redirect(url_for("visits.detail", visit_id=visit.id))


def _entry_name(name, filled):
    """Map ``tickets-<i>-field`` (i among the filled entries) to the form's entry index."""
    parts = name.split("-", 2)
    if len(parts) == 3 and parts[0] == "tickets" and parts[1].isdigit() and int(parts[1]) < len(filled):
        return f"tickets-{filled[int(parts[1])]}-{parts[2]}"
    return name


@login_required
def detail(visit_id):
    """One visit and the tickets raised in it (scoped)."""
    visit = db.session.execute(
        visible_visits(current_user).where(Visit.id == visit_id)
        .options(joinedload(Visit.village), joinedload(Visit.babinsa))
    ).scalar_one_or_none() if is_row_id(visit_id) else None
    if visit is None:
        abort(404)
    tickets = db.session.execute(
        scope.tickets(current_user).where(Ticket.visit_id == visit.id)
        .options(joinedload(Ticket.village)).order_by(Ticket.id)
    ).scalars().all()
    return render_template(
        "visits/detail.html", visit=visit, tickets=tickets, flags=flagged_ids([t.id for t in tickets]),
        clear_drafts=[draft_key(name) for name in drafts_done()],
    )


@login_required
def index():
    """Visits in the user's area, newest first."""
    page = db.paginate(
        visible_visits(current_user).options(joinedload(Visit.village), joinedload(Visit.babinsa)),
        page=page_number(), per_page=current_app.config["PER_PAGE"], error_out=False,
    )
    return render_template("visits/list.html", page=page)
