"""Visit pages: the Babinsa's villages, recording a visit with its tickets, visit lists."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone, gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from tracker.auth.decorators import roles_required
from tracker.pagination import paginate
from tracker.params import page_arg
from tracker.regions.names import region_names
from tracker.tickets.forms import village_options
from tracker.tickets.services import open_ticket_counts
from tracker.timeutil import local_date, utcnow
from tracker.visits.forms import VisitForm
from tracker.visits.models import Visit
from tracker.visits.services import (
    get_visit, last_visits, record_visit_with_tickets, villages_by_district, visible_visits,
    visit_tickets,
)
from tracker.warnings.models import flagged_ids
from tracker.web import commit_or_rollback, draft_key, drafts_done, mark_draft_done

VILLAGES_PER_PAGE = 50


def local_today():
    """Today in the user's time zone (WIB/WITA/WIT)."""
    return local_date(utcnow(), str(get_timezone()))


@login_required
def villages():
    """The user's villages with open tickets and last visit (paginated for large areas)."""
    page = paginate(villages_by_district(current_user), page=page_arg(), per_page=VILLAGES_PER_PAGE)
    codes = [v.code for v in page.items]
    return render_template(
        "visits/villages.html", page=page, today=local_today(),
        district_names=region_names(v.district_code for v in page.items),
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
    outcome = commit_or_rollback(lambda: record_visit_with_tickets(
        current_user, village_code=form.village_code.data, visited_on=form.visited_on.data,
        met_with=form.met_with.data, notes=form.notes.data, tickets=tickets,
    ), form, fields=_entry_fields(form), forbidden_field="village_code")
    if not outcome.is_done:
        return render_template("visits/new.html", **visit_form_context(form)), outcome.status
    visit, created = outcome.value
    mark_draft_done("visit")
    if created:
        flash(_("Visit recorded with %(n)d ticket(s): %(refs)s.", n=len(created),
                refs=", ".join(t.ref for t in created)), "success")
    else:
        flash(_("Visit recorded."), "success")
    return redirect(url_for("visits.detail", visit_id=visit.id))


def _entry_fields(form):
    """{service error name: form field name} of the ticket entries.

    The service numbers only the filled entries (``tickets-<i>-<field>``);
    the form keeps its own indexes, blank entries included.
    """
    filled = [(index, entry.form) for index, entry in enumerate(form.tickets.entries) if not entry.form.is_blank()]
    return {f"tickets-{n}-{name}": f"tickets-{index}-{name}"
            for n, (index, entry) in enumerate(filled) for name in entry._fields}


@login_required
def detail(visit_id):
    """One visit and the tickets raised in it (scoped)."""
    visit = get_visit(current_user, visit_id)
    if visit is None:
        abort(404)
    tickets = visit_tickets(current_user, visit)
    return render_template(
        "visits/detail.html", visit=visit, tickets=tickets, flags=flagged_ids([t.id for t in tickets]),
        clear_drafts=[draft_key(name) for name in drafts_done()],
    )


@login_required
def index():
    """Visits in the user's area, newest first."""
    page = paginate(
        visible_visits(current_user).options(joinedload(Visit.village), joinedload(Visit.babinsa)),
        page=page_arg(), per_page=current_app.config["PER_PAGE"],
    )
    return render_template("visits/list.html", page=page)
