"""The audit log's operations: record an event, find events, forget them after AUDIT_RETENTION_DAYS.

``record`` is the one way in: the auth feature's ``security_event`` signal
reaches it (logins, logouts, sessions, tokens, user changes), and features
call it for their own events (elections, the CSV export). It runs in the
caller's transaction, so an event is kept exactly when what it describes
is. Functions flush; the caller commits.
"""
import csv
import io
import logging
from datetime import timedelta

from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import delete, false, or_, select

from tracker.audit.models import AuditEvent
from tracker.auth.client import client_address
from tracker.auth.services import find_user
from tracker.auth.sessions import purge_expired_sessions
from tracker.auth.signals import security_event
from tracker.auth.throttle import purge_failures
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.timeutil import local_midnight_utc, utcnow
from tracker.validation import parse_date

KINDS = {
    "login.succeeded": _l("Login succeeded"),
    "login.failed": _l("Login failed"),
    "login.locked": _l("Login refused while locked"),
    "logout": _l("Logout"),
    "session.ended": _l("Sessions ended"),
    "token.created": _l("API token created"),
    "token.revoked": _l("API tokens revoked"),
    "user.created": _l("User created"),
    "user.changed": _l("User changed"),
    "user.deactivated": _l("User deactivated"),
    "user.role_changed": _l("Role changed"),
    "user.area_changed": _l("Area changed"),
    "user.password_changed": _l("Password changed"),
    "election.created": _l("Election created"),
    "election.changed": _l("Election changed"),
    "election.removed": _l("Election removed"),
    "export.downloaded": _l("Export downloaded"),
    "retention.applied": _l("Personal data anonymised (retention)"),
}
log = logging.getLogger("tracker.audit")

# Detail keys that would hold a secret: refused, so no caller writes one by mistake.
SECRET_KEYS = frozenset({"password", "password_hash", "token", "token_hash", "key", "key_hash", "secret",
                         "session_token"})
# Who acted / where from, when the caller does not say: the request's signed-in user and client.
FROM_REQUEST = object()


def record(kind, *, user=None, actor=FROM_REQUEST, address=FROM_REQUEST, detail=None):
    """Append an event of ``kind`` about ``user``; returns it.

    ``actor`` and ``address`` default to the request's signed-in user and
    client address (None outside a request: the command line, a job).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown audit event kind {kind!r}")
    secrets = SECRET_KEYS & set(detail or {})
    if secrets:
        raise ValueError(f"audit details never hold secrets: {sorted(secrets)}")
    in_request = has_request_context()
    if actor is FROM_REQUEST:
        actor = current_user._get_current_object() if in_request and current_user.is_authenticated else None
    if address is FROM_REQUEST:
        address = client_address() if in_request else None
    event = AuditEvent(at=utcnow(), kind=kind, actor_id=actor.id if actor is not None else None,
                       user_id=user.id if user is not None else None, address=address, detail=detail or None)
    db.session.add(event)
    db.session.flush()
    return event


# A filter value kept in the log is cut to this length (a query string can be long).
FILTER_VALUE_LENGTH = 200


def audited_export(chunks, params):
    """Stream the CSV ``chunks`` of an export and record its download: who, the filter, how many rows.

    Each chunk holds whole records, the first one the header. The event is
    recorded and committed once the last chunk is sent, or when the client
    stops reading (``complete`` false, the rows sent so far).
    """
    sent = 0

    def done(complete):
        record("export.downloaded", detail={
            "filter": {name: value[:FILTER_VALUE_LENGTH] for name, value in params.items() if name != "page"},
            "rows": max(sent - 1, 0), "complete": complete,
        })
        db.session.commit()

    try:
        for chunk in chunks:
            sent += sum(1 for _record in csv.reader(io.StringIO(chunk)))
            yield chunk
    except GeneratorExit:
        done(False)
        raise
    done(True)


def on_security_event(kind, **keywords):
    """Record an event the auth feature announced."""
    record(kind, **keywords)


def connect_security_events(_state=None):
    """Record the auth feature's security events (connecting twice changes nothing).

    The audit blueprint calls it when ``create_app`` registers it, so every
    application that can log in records its logins.
    """
    security_event.connect(on_security_event)


def event_filters(*, kind=None, username=None, since_on=None, until_on=None, tz="UTC"):
    """Filters for ``event_query`` from what a person typed; raises ValidationError naming the field.

    ``since_on`` and ``until_on`` are local dates (YYYY-MM-DD) in ``tz``,
    both included; an unknown username matches no event.
    """
    errors = {}
    kind = (kind or "").strip() or None
    if kind is not None and kind not in KINDS:
        errors["kind"] = [_l("Choose one of: %(choices)s.", choices=", ".join(KINDS))]
    since_on = parse_date(errors, "since", since_on)
    until_on = parse_date(errors, "until", until_on)
    if since_on and until_on and until_on < since_on:
        errors["until"] = [_l("The end date is before the start date.")]
    if errors:
        raise ValidationError(errors)
    username = (username or "").strip()
    return {
        "kind": kind,
        "user": (find_user(username) or False) if username else None,
        "since": local_midnight_utc(since_on, tz) if since_on else None,
        "until": local_midnight_utc(until_on + timedelta(days=1), tz) if until_on else None,
    }


def event_query(*, kind=None, user=None, since=None, until=None):
    """A select of audit events, newest first: of ``kind``, made by or about ``user``, in [since, until).

    ``user`` False (a username that is no user's) matches nothing.
    """
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if kind:
        stmt = stmt.where(AuditEvent.kind == kind)
    if user is False:
        stmt = stmt.where(false())
    elif user is not None:
        stmt = stmt.where(or_(AuditEvent.user_id == user.id, AuditEvent.actor_id == user.id))
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at < until)
    return stmt


def purge_events(now=None):
    """Delete the events older than AUDIT_RETENTION_DAYS; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["AUDIT_RETENTION_DAYS"])
    return db.session.execute(
        delete(AuditEvent).where(AuditEvent.at < cutoff).execution_options(synchronize_session=False)
    ).rowcount


def purge_expired(now):
    """The security records' daily housekeeping at ``now``; logs and returns how many rows went of each.

    Deletes audit events past AUDIT_RETENTION_DAYS, the rows of sessions that
    idled out or outlived SESSION_MAX_DAYS, and login-failure counts that
    would start over anyway. Each deletes by age: a second run deletes nothing.
    """
    counts = {"audit events": purge_events(now), "sessions": purge_expired_sessions(now),
              "login failure counts": purge_failures(now)}
    if any(counts.values()):
        log.info("purged %s", ", ".join(f"{count} {what}" for what, count in counts.items()))
    return counts
