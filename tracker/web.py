"""What web views share: the transaction boundary of a form post, and the browser drafts of forms.

``commit_or_rollback`` is to a web view what ``api.common.handle_service_errors``
is to the API: the view's one service call either commits once, or is rolled
back and its refusal is put where the page shows it (the form's fields for a
422, the form's top or a named field for a 403); the view then re-renders its
page with the status, flashes, or aborts.

The create forms the phone's outbox posts (a ticket, a visit, a comment,
photos; notes in tracker/static/outbox.js) carry a ``client_key``:
``tracker.idempotency.web.commit_once`` makes their record once however
often they are sent; ``created`` and ``refused_json`` answer them in JSON
when asked (the outbox sends ``Accept: application/json``) and as pages
otherwise, and ``outbox_form`` answers a JSON caller whose session has
ended with 401.
"""
from dataclasses import dataclass, field
from functools import wraps

from flask import flash, jsonify, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.errors import Conflict, Forbidden, ValidationError, wants_json
from tracker.extensions import db
from tracker.forms import all_fields, apply_errors

DRAFTS_DONE = "drafts_done"


@dataclass(frozen=True)
class Outcome:
    """What a view's service call came to: its value and 200, or the refusal's status and message."""

    value: object = None
    status: int = 200
    message: str = ""
    # A 422's messages by the form's field names, for an answer in JSON.
    errors: dict = field(default_factory=dict)

    @property
    def is_done(self):
        """True when the call succeeded and was committed."""
        return self.status == 200


def commit_or_rollback(work, form=None, *, fields=None, forbidden_field=None):
    """Run ``work()`` (the view's service call) as one transaction.

    Success commits once: ``Outcome(value)``. A ValidationError (422), a
    Forbidden (403) or a Conflict (409) rolls back whatever was begun and
    answers ``Outcome(status=..., message=...)``; with a ``form``, the
    validation messages go under its fields (``fields`` maps service names
    to form names) and a refusal's message under ``forbidden_field`` or on
    top of the form.
    """
    try:
        value = work()
    except ValidationError as error:
        db.session.rollback()
        if form is not None:
            # As the page shows them (a choice error in the field's labels).
            return Outcome(status=422, errors=apply_errors(form, error.errors, fields))
        names = fields or {}
        return Outcome(status=422, errors={names.get(name, name): messages for name, messages in error.errors.items()})
    except Forbidden as error:
        db.session.rollback()
        message = str(error.args[0]) if error.args else ""
        if form is not None and message:
            if forbidden_field:
                apply_errors(form, {forbidden_field: [message]})
            else:
                form.form_errors.append(message)
        return Outcome(status=403, message=message)
    except Conflict as error:
        db.session.rollback()
        return Outcome(status=409, message=str(error.args[0]) if error.args else "")
    db.session.commit()
    return Outcome(value)


def invalid(form):
    """The Outcome of a form its own checks refused (``validate_on_submit``), as for a service's 422."""
    return Outcome(status=422, errors={f.name: list(f.errors) for f in all_fields(form) if f.errors})


def created(answer, message, *, anchor="", draft=None):
    """The answer to a create form that was saved, or sent again after it was.

    In JSON, the answer kept with the key: the outbox says "Terkirim: <ref>"
    itself, so nothing is flashed, and no draft is dropped (it may send
    long after, while he types another). To a browser: ``message`` flashed,
    the form's ``draft`` dropped, and a redirect to the record (``anchor``
    appended to its URL).
    """
    if wants_json():
        return jsonify(answer.body), answer.status
    if draft:
        mark_draft_done(draft)
    flash(message, "success")
    return redirect(answer.body["url"] + anchor)


def refused_json(outcome):
    """A refused form post as the outbox reads it: 422 ``{"errors": {field: [messages]}}``,
    else ``{"error": message}`` with the status (403, 409)."""
    if outcome.status == 422:
        return jsonify(errors=outcome.errors), 422
    return jsonify(error=outcome.message or _("You are not allowed to do this.")), outcome.status


def session_ended():
    """401 ``{"error", "login_url"}``: the session has ended. The phone keeps its
    reports and asks him to log in again; a redirect to the login page would be
    followed and read as a page."""
    response = jsonify(error=_("Your session has ended. Log in again to send the reports waiting on this phone."),
                       login_url=url_for("auth.login"))
    response.status_code = 401
    return response


def outbox_form(view):
    """For a form view the outbox posts to, above its ``login_required`` or ``roles_required``:
    a JSON caller without a session gets ``session_ended()``, a browser the login page as before."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated and wants_json():
            return session_ended()
        return view(*args, **kwargs)

    return wrapped


def mark_draft_done(name):
    """Tell the next page to drop the browser draft of a form that was saved."""
    session[DRAFTS_DONE] = sorted(set(session.get(DRAFTS_DONE, [])) | {name})


def drafts_done():
    """The saved forms whose drafts the page should clear (read once)."""
    return session.pop(DRAFTS_DONE, [])


def draft_key(name):
    """localStorage key of a form's draft: one per user and form."""
    return f"waspada:draft:{current_user.id}:{name}"
