"""Visit pages: the Babinsa's villages, recording a visit with its tickets, visit lists."""
from flask import abort, current_app, render_template, request, url_for
from flask_babel import get_timezone, gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from tracker.attachments.services import read_uploads
from tracker.auth.decorators import roles_required
from tracker.errors import wants_json
from tracker.geo.location import location_from
from tracker.idempotency.web import commit_once
from tracker.pagination import paginate
from tracker.params import page_arg
from tracker.regions.names import region_names
from tracker.regions.codes import CodeError, normalize
from tracker.tickets.forms import village_options
from tracker.tickets.models import CATEGORIES
from tracker.tickets.services import open_ticket_counts, similar_open_tickets
from tracker.timeutil import local_date, utcnow
from tracker.visits.forms import VisitForm
from tracker.visits.models import Visit
from tracker.visits.services import (
    get_visit, last_visits, record_visit_with_tickets, villages_by_district, visible_visits,
    visit_tickets,
)
from tracker.warnings.models import flagged_ids
from tracker.web import created, draft_key, drafts_done, invalid, outbox_form, refused_json

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
    """What the visit form template needs besides the form: the villages and the
    duplicate hints of each problem entry."""
    return {"form": form, "villages": village_options(current_user), "today": local_today().isoformat(),
            "draft": draft_key("visit"),
            "hints": [similar_to(form.village_code.data, entry.form.category.data) for entry in form.tickets]}


def similar_to(village, category):
    """Open tickets the user can see in the village and category (the ticket form's duplicate hints)."""
    if not village or category not in CATEGORIES:
        return []
    try:
        return similar_open_tickets(current_user, normalize(village), category)
    except CodeError:
        return []


@login_required
def similar():
    """One problem entry's duplicate hints as an HTML fragment (progressive enhancement)."""
    return render_template("tickets/_similar.html", in_visit=True, hints=similar_to(
        request.args.get("village_code", ""), request.args.get("category", "")))


def problems(form):
    """[(entry form, name of its photo input, photos)] of the problem entries that were filled in.

    The photo input of entry ``tickets-<i>`` is ``problems-<i>-photos``
    (the form's own numbering). An entry with photos counts as filled, so
    photos are never dropped silently: the service then asks for its
    category and title.
    """
    found = []
    for entry in form.tickets.entries:
        field = f"problems-{entry.name.rpartition('-')[2]}-photos"
        photos = read_uploads(request.files.getlist(field))
        if photos or not entry.form.is_blank():
            found.append((entry.form, field, photos))
    return found


def visit_recorded(visit, tickets):
    """What recording a visit answers (kept with its client_key): the visit and its tickets."""
    return "visit", visit.id, {
        "ok": True, "kind": "visit", "id": visit.id, "url": url_for("visits.detail", visit_id=visit.id),
        "tickets": [{"id": t.id, "ref": t.ref, "url": url_for("tickets.detail", ticket_id=t.id)} for t in tickets],
    }


@outbox_form
@roles_required("babinsa", "koramil", "kodim", "admin")
def new():
    """Record a visit and, in the same submit, the problems heard there with their
    photos (all or nothing), once per client_key (the phone's outbox: JSON).

    "Add another problem" re-renders the form with one more ticket entry
    (its button posts to ``#tickets-<n>``, the new entry's id, to land on it), and
    "Check for similar reports" with each entry's duplicate hints; both save
    nothing, so they work without JavaScript.
    """
    if request.method == "GET":
        form = VisitForm(formdata=None, village_code=request.args.get("village_code", ""),
                         visited_on=local_today().isoformat())
        return render_template("visits/new.html", **visit_form_context(form))
    form = VisitForm()
    if "add_ticket" in request.form:
        if len(form.tickets.entries) < form.tickets.max_entries:
            form.tickets.append_entry()
        return render_template("visits/new.html", **visit_form_context(form))
    if "check" in request.form:
        return render_template("visits/new.html", **visit_form_context(form))
    if not form.validate_on_submit():
        if wants_json():
            return refused_json(invalid(form))
        return render_template("visits/new.html", **visit_form_context(form)), 422
    filled = problems(form)
    tickets = [
        {"category": entry.category.data, "severity": entry.severity.data, "title": entry.title.data,
         "description": entry.description.data, "parties": entry.parties.data,
         "sensitive": entry.sensitive.data, "photos": photos}
        for entry, _field, photos in filled
    ]
    outcome = commit_once(lambda: visit_recorded(*record_visit_with_tickets(
        current_user, village_code=form.village_code.data, visited_on=form.visited_on.data,
        met_with=form.met_with.data, notes=form.notes.data, tickets=tickets, **location_from(request.form),
    )), form, fields=_entry_fields(filled), forbidden_field="village_code")
    if not outcome.is_done:
        if wants_json():
            return refused_json(outcome)
        return render_template("visits/new.html", **visit_form_context(form)), outcome.status
    refs = [ticket["ref"] for ticket in outcome.value.body["tickets"]]
    if refs:
        message = _("Visit recorded with %(n)d ticket(s): %(refs)s.", n=len(refs), refs=", ".join(refs))
    else:
        message = _("Visit recorded.")
    return created(outcome.value, message, draft="visit")


def _entry_fields(filled):
    """{service error name: form field name} of the filled problem entries (``problems``).

    The service numbers only the filled entries (``tickets-<n>-<field>``);
    the form keeps its own indexes, blank entries included.
    """
    names = {}
    for n, (entry, photos_field, _photos) in enumerate(filled):
        names.update({f"tickets-{n}-{name}": field.name for name, field in entry._fields.items()})
        names[f"tickets-{n}-photos"] = photos_field
    return names


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
