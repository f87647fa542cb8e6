"""The web forms' ``client_key``: a create form's record made once, however often it is sent.

The semantics live in tracker.idempotency.services, shared with the API's
``Idempotency-Key`` (tracker/api/idempotency.py); this module is the web
forms' side of it, on top of their transaction boundary (tracker.web).
"""
from flask_login import current_user

from tracker.idempotency.services import claim_request, key_from_form
from tracker.web import commit_or_rollback


def commit_once(work, form=None, *, fields=None, forbidden_field=None):
    """``commit_or_rollback`` for a create form that carries a ``client_key``.

    The key is claimed in the transaction of what ``work()`` makes.
    ``work`` returns ``(kind, id, body)``: ``body`` is the form's JSON
    answer, with the record's ``url``, and is kept with the key. The same
    key and form sent again (the outbox retrying after a lost answer, a
    double tap) answer that first answer without calling ``work``; the key
    with another form is refused with 409, its message on top of the form.
    The value of a done Outcome is the idempotency Answer (for ``created``).
    """
    def once():
        claim = claim_request(current_user, key_from_form())
        if claim.answer is not None:
            return claim.answer
        kind, resource_id, body = work()
        return claim.save(201, body, kind=kind, resource_id=resource_id)

    outcome = commit_or_rollback(once, form, fields=fields, forbidden_field=forbidden_field)
    if outcome.status == 409 and form is not None:
        form.form_errors.append(outcome.message)
    return outcome
