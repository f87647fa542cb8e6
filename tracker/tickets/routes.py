"""Ticket pages: list and export, filing with duplicate hints, the ticket page, queues.

Views parse input, call one service, and render; the request commits once.
Every read goes through the scoped service functions.
"""
from flask import (
    Response, abort, current_app, flash, redirect, render_template, request, stream_with_context, url_for,
)
from flask_babel import format_timedelta, get_timezone, gettext as _
from flask_login import current_user, login_required

from tracker.attachments.services import MAX_PER_TICKET, add_photos, photos_of, read_uploads
from tracker.audit.services import audited_export
from tracker.auth.decorators import roles_required
from tracker.errors import Conflict, Forbidden, ValidationError, wants_json
from tracker.forms import apply_errors
from tracker.geo.location import location_from
from tracker.idempotency.web import commit_once
from tracker.params import int_or_raw, page_arg
from tracker.regions.codes import WIB, CodeError, normalize
from tracker.tickets.forms import (
    CommentForm, DangerForm, DuplicateSearchForm, PhotoForm, ReclassifyForm, TicketForm, TransitionForm,
    district_options, village_options,
)
from tracker.tickets.labels import (
    ACTION_LABELS, CATEGORY_LABELS, EVENT_LABELS, LEVEL_LABELS, SEVERITY_LABELS, STATUS_LABELS,
)
from tracker.tickets.export import export_csv
from tracker.tickets.listing import ticket_page
from tracker.tickets.models import CATEGORIES
from tracker.tickets.services import (
    ACTIONS, add_comment, allowed_actions, can, can_reclassify, create_ticket, duplicate_candidates, duplicates_of,
    escalation_queue, get_ticket, likely_duplicates, overdue_tickets, prepare_transition, reclassify, role_may,
    search_tickets, similar_open_tickets, timeline, transition, triage_queue,
)
from tracker.timeutil import as_utc, local_date, utcnow
from tracker.warnings.models import flagged_ids
from tracker.web import (
    commit_or_rollback, created, draft_key, drafts_done, invalid, mark_draft_done, outbox_form,
    refused_json,
)

# The photo field of the ticket form and the add-photo form.
PHOTOS = "photos"
# Actions the web asks to confirm on a page of their own before applying them.
DANGEROUS = ("reject", "close")


def ticket_age(moment):
    """How long ago, in words of the UI language ("3 hari")."""
    return format_timedelta(utcnow() - as_utc(moment), threshold=1.5)


def _labels():
    """Label maps for templates/macros/tickets.html, which any feature may import."""
    return {
        "CATEGORY_LABELS": CATEGORY_LABELS, "SEVERITY_LABELS": SEVERITY_LABELS,
        "STATUS_LABELS": STATUS_LABELS, "LEVEL_LABELS": LEVEL_LABELS,
        "ACTION_LABELS": ACTION_LABELS, "EVENT_LABELS": EVENT_LABELS,
        "ticket_age": ticket_age,
    }


# Pages count their tickets up to this many; a national list says "10000+"
# instead of scanning a million rows for an exact figure on every page.
COUNT_CAP = 10_000


def paginate(stmt):
    """One page of tickets with their villages, and which of them are flagged."""
    page = ticket_page(stmt, page_arg(), current_app.config["PER_PAGE"], cap=COUNT_CAP)
    return page, flagged_ids([t.id for t in page.items])


def ticket_or_404(ticket_id):
    """The ticket if the current user may see it; 404 otherwise."""
    ticket = get_ticket(current_user, ticket_id)
    if ticket is None:
        abort(404)
    return ticket


# --- list and export -----------------------------------------------------------

@login_required
def index():
    """Every ticket the user may see, filtered and paginated, newest first."""
    errors = {}
    try:
        stmt = search_tickets(current_user, request.args)
    except ValidationError as error:
        errors, page, flags = error.errors, None, set()
    else:
        page, flags = paginate(stmt)
    district = request.args.get("district_code") or None
    try:
        district = normalize(district) if district else None
    except CodeError:
        district = None
    return render_template(
        "tickets/list.html", page=page, flags=flags, errors=errors,
        districts=district_options(current_user),
        villages=village_options(current_user, district),
    ), (422 if errors else 200)


@login_required
def export():
    """The current filter as CSV, streamed row batch by row batch (scoped)."""
    try:
        chunks = export_csv(current_user, request.args)
    except ValidationError as error:
        lines = [f"{field}: {message}" for field, messages in error.errors.items() for message in messages]
        return Response("\n".join(lines) + "\n", status=422, mimetype="text/plain")
    name = f"tiket-{local_date(utcnow(), WIB).isoformat()}.csv"
    return Response(
        stream_with_context(audited_export(chunks, request.args)), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- queues ----------------------------------------------------------------------

def render_queue(title, stmt, empty, *, mark_duplicates=False):
    """A queue page: its tickets in the service's order, paginated, with the total;
    with ``mark_duplicates``, each row's likely duplicates (one query for the page)."""
    page, flags = paginate(stmt)
    duplicates = likely_duplicates(current_user, page.items) if mark_duplicates else {}
    return render_template("tickets/queue.html", title=title, page=page, flags=flags, empty=empty,
                           duplicates=duplicates)


@roles_required("koramil", "kodim", "admin")
def triage():
    """New tickets at Koramil level, most severe and oldest first, likely duplicates marked."""
    return render_queue(_("Triage queue"), triage_queue(current_user), _("No new tickets waiting."),
                        mark_duplicates=True)


@roles_required("koramil", "kodim", "admin")
def escalations():
    """Tickets escalated to the Kodim, waiting to be started."""
    return render_queue(_("Escalation queue"), escalation_queue(current_user), _("No escalated tickets waiting."))


@login_required
def overdue():
    """Unresolved tickets past their due time, most overdue first."""
    return render_queue(_("Overdue tickets"), overdue_tickets(current_user), _("Nothing is overdue."))


# --- filing ------------------------------------------------------------------------

def ticket_form_context(form):
    """Villages to choose from and duplicate hints for the chosen village and category."""
    hints = []
    village, category = form.village_code.data, form.category.data
    if village and category in CATEGORIES:
        try:
            hints = similar_open_tickets(current_user, normalize(village), category)
        except CodeError:
            hints = []
    return {"form": form, "villages": village_options(current_user), "hints": hints,
            "draft": draft_key("ticket"), "today": local_date(utcnow(), str(get_timezone())).isoformat()}


def ticket_filed(ticket):
    """What filing a ticket answers (kept with its client_key): the field protocol's JSON."""
    url = url_for("tickets.detail", ticket_id=ticket.id)
    return "ticket", ticket.id, {"ok": True, "kind": "ticket", "id": ticket.id, "ref": ticket.ref, "url": url}


@outbox_form
@roles_required("babinsa", "koramil", "kodim", "admin")
def new():
    """File a ticket with its photos and position, once per client_key (the phone's
    outbox: JSON). ``check`` only shows the duplicate hints; nothing is saved then."""
    form = TicketForm(formdata=request.form if request.method == "POST" else request.args)
    if request.method == "GET" or "check" in request.form:
        return render_template("tickets/new.html", **ticket_form_context(form))
    if not form.validate_on_submit():
        return form_refused(invalid(form), form)
    outcome = commit_once(lambda: ticket_filed(create_ticket(
        current_user, village_code=form.village_code.data, category=form.category.data,
        severity=form.severity.data, title=form.title.data, description=form.description.data,
        occurred_on=form.occurred_on.data, visit_id=int_or_raw(form.visit_id.data),
        sensitive=form.sensitive.data, parties=form.parties.data, **location_from(request.form),
        photos=read_uploads(request.files.getlist(PHOTOS)), photos_field=PHOTOS,
    )), form, forbidden_field="village_code")
    if not outcome.is_done:
        return form_refused(outcome, form)
    return created(outcome.value, _("Ticket %(ref)s filed.", ref=outcome.value.body["ref"]), draft="ticket")


def form_refused(outcome, form):
    """A refused ticket form: JSON for the outbox, else the form again with its messages."""
    if wants_json():
        return refused_json(outcome)
    return render_template("tickets/new.html", **ticket_form_context(form)), outcome.status


@login_required
def similar():
    """Duplicate hints as an HTML fragment for the ticket form (progressive enhancement)."""
    form = TicketForm(formdata=request.args, meta={"csrf": False})
    return render_template("tickets/_similar.html", hints=ticket_form_context(form)["hints"])


@login_required
def same_problem(ticket_id):
    """"This is the same problem": the drafted report becomes a comment on that ticket."""
    ticket = ticket_or_404(ticket_id)
    form = TicketForm()
    body = "\n\n".join(part.strip() for part in (
        form.title.data or "", form.description.data or "", form.parties.data or "",
    ) if part.strip())
    outcome = commit_or_rollback(lambda: add_comment(current_user, ticket, body))
    if not outcome.is_done:
        apply_errors(form, {"title": [_("Write what you heard before marking it as the same problem.")]})
        return render_template("tickets/new.html", **ticket_form_context(form)), outcome.status
    mark_draft_done("ticket")
    flash(_("Added to %(ref)s as a comment.", ref=ticket.ref), "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


# --- the ticket page -------------------------------------------------------------------

def render_detail(ticket, status=200, **forms):
    """The ticket page with its timeline, its photos and only the actions the user may take.

    Whoever sees the ticket may comment on it and, while it has fewer than
    three, add photos.
    """
    reclassify_form = forms.get("reclassify") or ReclassifyForm(
        formdata=None, severity=ticket.severity, category=ticket.category)
    actions = allowed_actions(current_user, ticket)
    photos = photos_of(ticket)
    original = get_ticket(current_user, ticket.duplicate_of_id) if ticket.duplicate_of_id else None
    return render_template(
        "tickets/detail.html", ticket=ticket, events=timeline(ticket), photos=photos,
        may_add_photo=len(photos) < MAX_PER_TICKET, photo_form=forms.get("photo") or PhotoForm(formdata=None),
        is_flagged=bool(flagged_ids([ticket.id])),
        actions=[a for a in actions if a not in DANGEROUS],
        dangerous=[a for a in actions if a in DANGEROUS],
        is_overdue=ticket.is_unresolved and as_utc(ticket.due_at) < utcnow(),
        reason_actions=[str(ACTION_LABELS[a]) for a in actions if ACTIONS[a].needs_reason and a not in DANGEROUS],
        may_reclassify=can_reclassify(current_user, ticket),
        original=original, duplicates=duplicates_of(current_user, ticket),
        danger_form=forms.get("danger") or DangerForm(formdata=None),
        transition_form=forms.get("transition") or TransitionForm(formdata=None),
        reclassify_form=reclassify_form, comment_form=forms.get("comment") or CommentForm(formdata=None),
        clear_drafts=[draft_key(name) for name in drafts_done()],
    ), status


def refused(ticket_id, outcome, **forms):
    """The answer to a refused change of the ticket, after the rollback.

    403: the error page. 409: someone acted first; say so and show the
    ticket as it is now. 422: the ticket page with the form's errors.
    """
    if outcome.status == 403:
        abort(403)
    if outcome.status == 409:
        flash(_("Someone else changed this ticket first. Here is how it stands now."), "error")
        return render_detail(ticket_or_404(ticket_id), 409)
    return render_detail(ticket_or_404(ticket_id), outcome.status, **forms)


@login_required
def detail(ticket_id):
    """One ticket: details, timeline, allowed actions."""
    return render_detail(ticket_or_404(ticket_id))


@login_required
def act(ticket_id):
    """Take a life-cycle action (action, reason and the version the user saw).

    Rejecting and closing are applied only with ``confirm`` = 1, which the
    confirmation page sends; without it they are checked and that page is
    shown (``confirm``). API clients call the service directly and do not
    confirm.
    """
    ticket = ticket_or_404(ticket_id)
    if request.form.get("action") in DANGEROUS:
        form = DangerForm()
        if form.confirm.data != "1":
            return ask_to_confirm(ticket, form)
        forms = {"danger": form}
    else:
        form = TransitionForm()
        forms = {"transition": form}
    action = form.action.data
    duplicate_of = int_or_raw(form.duplicate_of.data) if isinstance(form, DangerForm) else None
    outcome = commit_or_rollback(lambda: transition(
        current_user, ticket, action, reason=form.reason.data, version=int_or_raw(form.version.data),
        duplicate_of=duplicate_of), form)
    if not outcome.is_done:
        if outcome.status == 422 and form.errors.get("duplicate_of"):
            return render_duplicate_page(ticket_or_404(ticket_id), form, status=422)
        return refused(ticket_id, outcome, **forms)
    if ticket.duplicate_of_id is not None:
        flash(_("%(ref)s rejected as a duplicate of %(original)s.", ref=ticket.ref,
                original=ticket.duplicate_of.ref), "success")
    else:
        flash(_("%(ref)s: %(status)s.", ref=ticket.ref, status=STATUS_LABELS[ticket.status]), "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


@login_required
def confirm(ticket_id):
    """The first step of rejecting or closing: check the action and ask to confirm it."""
    ticket = ticket_or_404(ticket_id)
    form = DangerForm()
    if form.action.data not in DANGEROUS:
        form.action.errors = [_("Choose to reject or to close the ticket.")]
        return render_detail(ticket, 422, danger=form)
    return ask_to_confirm(ticket, form)


def ask_to_confirm(ticket, form):
    """The confirmation page of a rejection or closing, once the service's checks pass (nothing
    is written). A refusal answers as the action itself would: the ticket page with the
    form's messages (the duplicate page for a refused original), 403, or 409."""
    try:
        plan = prepare_transition(
            current_user, ticket, form.action.data, reason=form.reason.data,
            version=int_or_raw(form.version.data), duplicate_of=int_or_raw(form.duplicate_of.data))
    except ValidationError as error:
        apply_errors(form, error.errors)
        if "duplicate_of" in error.errors:
            return render_duplicate_page(ticket, form, status=422)
        return render_detail(ticket, 422, danger=form)
    except Forbidden:
        abort(403)
    except Conflict:
        flash(_("Someone else changed this ticket first. Here is how it stands now."), "error")
        return render_detail(ticket, 409)
    return render_template("tickets/confirm.html", ticket=ticket, plan=plan, form=form)


def render_duplicate_page(ticket, form=None, status=200):
    """The duplicate page: tickets of the same village to pick the original from, narrowed by
    the search ``q`` (reference or title); ``form`` carries a refused pick's message."""
    search = DuplicateSearchForm(formdata=request.args, meta={"csrf": False})
    try:
        candidates, more = duplicate_candidates(current_user, ticket, search.q.data or None)
    except ValidationError as error:
        apply_errors(search, error.errors)
        candidates, more, status = [], False, 422
    form = form or DangerForm(formdata=None)
    return render_template(
        "tickets/duplicate.html", ticket=ticket, search=search, form=form, candidates=candidates, more=more,
        flags=flagged_ids([t.id for t in candidates]),
    ), status


@login_required
def duplicate(ticket_id):
    """"Reject as a duplicate": pick the original among the village's tickets (no JavaScript needed)."""
    ticket = ticket_or_404(ticket_id)
    if not role_may(current_user, ticket, "reject"):
        abort(403)
    if not can(current_user, ticket, "reject"):
        flash(_("A %(status)s ticket can no longer be rejected.", status=STATUS_LABELS[ticket.status]), "error")
        return render_detail(ticket, 409)
    return render_duplicate_page(ticket)


@login_required
def reclassify_view(ticket_id):
    """Change severity and/or category with a reason (commanders).

    The form's values go to the service as they are, as the API's do: the
    service records what differs, and a change shows as a new version.
    """
    ticket = ticket_or_404(ticket_id)
    form = ReclassifyForm()
    seen = ticket.version
    outcome = commit_or_rollback(lambda: reclassify(
        current_user, ticket, severity=form.severity.data, category=form.category.data, reason=form.reason.data,
        version=int_or_raw(form.version.data)).version != seen, form)
    if not outcome.is_done:
        return refused(ticket_id, outcome, reclassify=form)
    if outcome.value:
        flash(_("%(ref)s reclassified.", ref=ticket.ref), "success")
    else:
        flash(_("%(ref)s already has this severity and category; nothing changed.", ref=ticket.ref), "success")
    return redirect(url_for("tickets.detail", ticket_id=ticket.id))


def added_to(ticket_id, outcome, **forms):
    """The answer to a refused comment or photo: JSON for the outbox; on the page, its
    client_key sent again with other content (409) said on the form, else as ``refused``."""
    if wants_json():
        return refused_json(outcome)
    if outcome.status == 409:
        return render_detail(ticket_or_404(ticket_id), 409, **forms)
    return refused(ticket_id, outcome, **forms)


def comment_added(ticket, event):
    """What adding a comment answers (kept with its client_key)."""
    return "comment", event.id, {"ok": True, "kind": "comment", "url": url_for("tickets.detail", ticket_id=ticket.id)}


def photos_added(ticket, attachments):
    """What adding photos answers (kept with its client_key): their ids."""
    ids = [attachment.id for attachment in attachments]
    url = url_for("tickets.detail", ticket_id=ticket.id)
    return "attachment", ids[0], {"ok": True, "kind": "photo", "url": url, "attachments": ids}


@outbox_form
@login_required
def comment(ticket_id):
    """Add a comment to the timeline, once per client_key."""
    ticket = ticket_or_404(ticket_id)
    form = CommentForm()
    outcome = commit_once(lambda: comment_added(ticket, add_comment(current_user, ticket, form.body.data)), form)
    if not outcome.is_done:
        return added_to(ticket_id, outcome, comment=form)
    return created(outcome.value, _("Comment added."), anchor="#timeline")


@outbox_form
@login_required
def add_photo(ticket_id):
    """Add photos to the ticket (whoever may comment on it may), once per client_key."""
    ticket = ticket_or_404(ticket_id)
    form = PhotoForm()
    outcome = commit_once(lambda: photos_added(ticket, add_photos(
        current_user, ticket, read_uploads(request.files.getlist(PHOTOS)), field=PHOTOS)), form)
    if not outcome.is_done:
        return added_to(ticket_id, outcome, photo=form)
    return created(outcome.value, _("Photos added."), anchor="#photos")
