"""Idempotency keys: validate, fingerprint, claim, record, replay and purge.

A client (the phone's outbox, a double tap, an API client) sends a key it
made with every request that creates something: the ``Idempotency-Key``
header on the API, the ``client_key`` field on the web forms. The API and
the web views share one store and one way of using it, around their one
service call::

    claim = claim_request(user, key_from_header())   # or key_from_form()
    if claim.answer is not None:
        return replay_response(claim.answer)          # the first answer again
    ticket = create_ticket(user, ...)
    claim.save(201, body, kind="ticket", resource_id=ticket.id)
    db.session.commit()                               # the key and the ticket together

Claim before writing anything else. Only answers that were saved are kept:
a refused request (422, 403, ...) rolls its transaction back, claim
included, so the client may correct it and send it again under the same key.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, jsonify, redirect, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tracker.errors import Conflict, ValidationError, wants_json
from tracker.extensions import db
from tracker.idempotency.models import IdempotencyKey
from tracker.timeutil import utcnow

HEADER = "Idempotency-Key"
FORM_FIELD = "client_key"
KEY_MAX = 100
# The phones' outbox relies on a replay within a week being recognised.
MIN_KEEP_DAYS = 7
# Form fields that change between two sends of the same thing: the CSRF
# token is fetched afresh for every attempt, and the key is not content.
IGNORED_FIELDS = frozenset({"csrf_token", FORM_FIELD})


@dataclass(frozen=True)
class Answer:
    """What a request with a key was answered: replayed as it was."""

    status: int
    body: dict
    resource_kind: str | None = None
    resource_id: int | None = None


@dataclass
class Claim:
    """The outcome of claiming a key.

    ``answer`` is the stored first answer when the request is a replay;
    otherwise the caller does the work and calls ``save``. Without a key
    (``key_id`` and ``answer`` None) ``save`` only hands the answer back.
    """

    key_id: int | None = None
    answer: Answer | None = None

    def save(self, status, body, *, kind=None, resource_id=None):
        """Record the answer under the claimed key, in the caller's transaction."""
        answer = Answer(status, body, kind, resource_id)
        if self.key_id is not None:
            db.session.execute(
                update(IdempotencyKey).where(IdempotencyKey.id == self.key_id).values(
                    status=status, body=json.dumps(body, separators=(",", ":")),
                    resource_kind=kind, resource_id=resource_id,
                )
            )
        return answer


def validate_key(raw, field):
    """The key if it is 1-100 printable ASCII characters; None when absent.

    Raises ValidationError naming ``field`` (the header or form field).
    """
    if raw is None:
        return None
    if not (isinstance(raw, str) and 1 <= len(raw) <= KEY_MAX and all(" " <= c <= "~" for c in raw)):
        raise ValidationError({field: [_l("Must be 1 to %(n)d printable ASCII characters.", n=KEY_MAX)]})
    return raw


def key_from_header():
    """The request's ``Idempotency-Key`` header, validated; None when not sent."""
    return validate_key(request.headers.get(HEADER), HEADER)


def key_from_form():
    """The request's ``client_key`` form field, validated; None when missing or empty.

    The server renders a fresh key into every create form, so only a page
    from before this field existed sends none.
    """
    return validate_key(request.form.get(FORM_FIELD) or None, FORM_FIELD)


def fingerprint(method, path, *, body=None, fields=(), files=()):
    """sha256 (hex) of a request's canonical form.

    ``body`` is a parsed JSON body; ``fields`` (name, value) form pairs;
    ``files`` (field name, sha256 of the content) pairs. Key order in JSON
    objects does not matter; the order of values under one name does.
    """
    document = {
        "method": method, "path": path, "body": body,
        "fields": sorted(fields, key=lambda pair: pair[0]),
        "files": sorted(files, key=lambda pair: pair[0]),
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _file_digest(storage):
    """sha256 of an uploaded file, leaving the stream at its start for the service."""
    digest = hashlib.file_digest(storage.stream, "sha256").hexdigest()
    storage.stream.seek(0)
    return digest


def request_fingerprint():
    """The fingerprint of the current request: its JSON body, or its form fields and files."""
    if request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # nesting deeper than the parser's limit: the raw bytes stand in
            body = None
        if body is None:
            body = request.get_data(as_text=True)
        return fingerprint(request.method, request.path, body=body)
    fields = [(name, value) for name, value in request.form.items(multi=True) if name not in IGNORED_FIELDS]
    files = [(name, _file_digest(storage)) for name, storage in request.files.items(multi=True)]
    return fingerprint(request.method, request.path, fields=fields, files=files)


def lookup(user_id, key):
    """The stored row of a user's key, or None."""
    return db.session.execute(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    ).scalar_one_or_none()


def _insert_if_new(values):
    """INSERT the key unless the user already has it; the new row's id, or None.

    The unique constraint (user_id, key) decides a race: PostgreSQL makes a
    second INSERT of the same key wait for the first transaction and then
    do nothing; SQLite runs one writer at a time. No savepoint is needed,
    so nothing else in the transaction is rolled back.
    """
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(IdempotencyKey).values(**values)
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(IdempotencyKey.id)
    )
    return db.session.execute(stmt).scalar_one_or_none()


def _stored_answer(row, fingerprint_):
    """The row's answer for a replay; Conflict for another request under the same key."""
    if row.fingerprint != fingerprint_:
        raise Conflict(_l("This key was already used for a different request. Use a new key for a new request."))
    if row.status is None:
        # Only a caller that committed without saving leaves such a row.
        raise Conflict(_l("A request with this key is still being processed. Try again in a moment."))
    return Answer(row.status, json.loads(row.body), row.resource_kind, row.resource_id)


def claim(user, key, endpoint, fingerprint_):
    """Claim ``key`` for the user, or find the answer it already had.

    Returns a Claim: with ``answer`` set for a replay (same fingerprint);
    else the key is held in the caller's transaction until it commits.
    Raises Conflict (409) when the key came with a different request.
    ``key`` None (the client sent none) claims nothing.
    """
    if key is None:
        return Claim()
    row = lookup(user.id, key)
    if row is None:
        key_id = _insert_if_new({
            "user_id": user.id, "key": key, "endpoint": endpoint,
            "fingerprint": fingerprint_, "created_at": utcnow(),
        })
        if key_id is not None:
            return Claim(key_id=key_id)
        row = lookup(user.id, key)  # a concurrent request with the key committed first
    return Claim(answer=_stored_answer(row, fingerprint_))


def claim_request(user, key):
    """``claim`` for the current request: its endpoint and fingerprint (not computed without a key)."""
    if key is None:
        return Claim()
    return claim(user, key, request.endpoint, request_fingerprint())


def replay_response(answer):
    """The first answer again: its status and JSON body, or for a plain form
    post a redirect to the record (web answers carry its ``url``)."""
    if wants_json():
        return jsonify(answer.body), answer.status
    return redirect(answer.body["url"])


def purge_expired_keys(now=None):
    """Delete keys older than IDEMPOTENCY_KEEP_DAYS (never fewer than 7 days).

    Returns how many were deleted; the caller (the daily job) commits.
    """
    keep_days = max(current_app.config["IDEMPOTENCY_KEEP_DAYS"], MIN_KEEP_DAYS)
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    return result.rowcount
