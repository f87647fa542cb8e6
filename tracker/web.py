"""What web views share: the transaction boundary of a form post, and the browser drafts of forms.

``commit_or_rollback`` is to a web view what ``api.common.handle_service_errors``
is to the API: the view's one service call either commits once, or is rolled
back and its refusal is put where the page shows it (the form's fields for a
422, the form's top or a named field for a 403); the view then re-renders its
page with the status, flashes, or aborts.
"""
from dataclasses import dataclass

from flask import session
from flask_login import current_user

from tracker.errors import Conflict, Forbidden, ValidationError
from tracker.extensions import db
from tracker.forms import apply_errors

DRAFTS_DONE = "drafts_done"


@dataclass(frozen=True)
class Outcome:
    """What a view's service call came to: its value and 200, or the refusal's status and message."""

    value: object = None
    status: int = 200
    message: str = ""

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
            apply_errors(form, error.errors, fields)
        return Outcome(status=422)
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


def mark_draft_done(name):
    """Tell the next page to drop the browser draft of a form that was saved."""
    session[DRAFTS_DONE] = sorted(set(session.get(DRAFTS_DONE, [])) | {name})


def drafts_done():
    """The saved forms whose drafts the page should clear (read once)."""
    return session.pop(DRAFTS_DONE, [])


def draft_key(name):
    """localStorage key of a form's draft: one per user and form."""
    return f"waspada:draft:{current_user.id}:{name}"
