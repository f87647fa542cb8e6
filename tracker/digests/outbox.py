"""The outbox: emails are decided into rows, and a relay delivers them.

Writing the row happens in the transaction that decides the email, so an
email is never lost and (thanks to its unique key) never decided twice.
The relay claims rows before sending, so two relays never send one row
twice; temporary failures wait with exponential backoff, permanent ones
are kept with the server's answer for the delivery log. Functions flush;
the caller commits — except ``relay``, which commits its claim before it
talks SMTP, so no transaction waits on a mail server.
"""
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tracker.database import is_postgres
from tracker.digests import mail
from tracker.digests.models import OutboxMessage
from tracker.errors import Conflict
from tracker.extensions import db

# How many rows one relay run claims; the relay runs every minute.
RELAY_BATCH = 500
# A claim older than this belongs to a relay that died mid-batch.
CLAIM_SECONDS = 15 * 60
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 2 * 60 * 60
# The states the delivery log filters by; "retrying" is a pending row that has failed before.
LOG_STATES = ("pending", "retrying", "sending", "sent", "failed", "skipped")


def queue_message(*, key, to_address, subject, body_text, body_html, now, user_id=None,
                  digest_on=None, status="pending"):
    """Write one email into the outbox unless a row with ``key`` exists.

    Returns True when the row was written. Uses the database's ``ON CONFLICT
    DO NOTHING`` so that two deciders racing on one key write one row and
    neither fails. ``status="skipped"`` records a decision not to send.
    """
    dialect = postgresql if is_postgres(db.session) else sqlite
    stmt = dialect.insert(OutboxMessage).values(
        key=key, user_id=user_id, digest_on=digest_on, to_address=to_address, subject=subject,
        body_text=body_text, body_html=body_html, status=status, attempts=0,
        next_attempt_at=now, created_at=now,
    ).on_conflict_do_nothing(index_elements=["key"]).returning(OutboxMessage.id)
    return db.session.execute(stmt).first() is not None


def queue_messages(rows, *, now):
    """Write many emails into the outbox, skipping keys that have a row; returns the keys written.

    ``rows`` are dicts of ``queue_message``'s keyword arguments (without
    ``now``). One multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING``,
    so two deciders racing on one key write one row and neither fails.
    """
    if not rows:
        return set()
    dialect = postgresql if is_postgres(db.session) else sqlite
    values = [
        {"user_id": None, "digest_on": None, "status": "pending", **row, "attempts": 0,
         "next_attempt_at": now, "created_at": now}
        for row in rows
    ]
    stmt = (
        dialect.insert(OutboxMessage).on_conflict_do_nothing(index_elements=["key"])
        .returning(OutboxMessage.key)
    )
    return set(db.session.execute(stmt, values).scalars())


def existing_keys(keys):
    """The subset of ``keys`` that already have an outbox row (chunked IN queries)."""
    keys = list(keys)
    found = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        found.update(db.session.execute(
            select(OutboxMessage.key).where(OutboxMessage.key.in_(chunk))
        ).scalars())
    return found


def backoff(attempts):
    """Seconds to wait after the given number of failed attempts: 1, 2, 4 … minutes, capped."""
    return min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS)


def _claim(now, limit):
    """Mark due rows as being sent by this relay and return their ids.

    One UPDATE claims the batch: a row counts as due when pending and its
    next attempt has come, or when a previous relay's claim has expired. On
    PostgreSQL rows locked by a concurrent relay are skipped; on SQLite the
    UPDATE waits for the other relay's transaction and then finds nothing due.
    """
    due = (
        select(OutboxMessage.id)
        .where(or_(
            and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
            and_(OutboxMessage.status == "sending", OutboxMessage.claimed_until < now),
        ))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if is_postgres(db.session):
        due = due.with_for_update(skip_locked=True)
    stmt = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .where(OutboxMessage.status.in_(("pending", "sending")))
        .values(status="sending", claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        .returning(OutboxMessage.id)
    )
    return list(db.session.execute(stmt, execution_options={"synchronize_session": False}).scalars())


def _record_failure(row, failure, now):
    """Retry later, or give up when the failure is permanent or attempts are spent."""
    row.attempts = (row.attempts or 0) + 1
    row.last_error = failure.answer[:2000]
    row.claimed_until = None
    if failure.permanent or row.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        row.status = "failed"
        return "failed"
    row.status = "pending"
    row.next_attempt_at = now + timedelta(seconds=backoff(row.attempts))
    return "retrying"


def relay(now, limit=RELAY_BATCH):
    """Send what is due once; returns the counts {"sent", "retrying", "failed"}.

    Three steps, and no transaction stays open while SMTP talks (on SQLite
    an open write would hold the database's one write lock, and every web
    request that writes would wait on the mail server):
    1. claim the due rows and build their messages, then COMMIT the claim;
    2. send, with no transaction open;
    3. record each result (flushed; the caller commits, as for any job).
    Delivery is at least once: a crash between 2 and 3 leaves the rows
    claimed, and once the claim expires they are sent again (with the same
    Message-ID, so mail clients can tell). When no server takes the
    connection, every claimed row records that answer and waits for its
    next attempt: nothing is lost.
    """
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    ids = _claim(now, limit)
    if not ids:
        return counts
    outgoing = _build_outgoing(ids)
    db.session.commit()
    results = _send(outgoing)
    rows = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.id.in_(ids)).execution_options(populate_existing=True)
    ).scalars()
    for row in rows:
        failure = results.get(row.id)
        if failure is None:
            row.status, row.sent_at, row.claimed_until = "sent", now, None
            row.attempts = (row.attempts or 0) + 1
            counts["sent"] += 1
        else:
            counts[_record_failure(row, failure, now)] += 1
    db.session.flush()
    return counts


def _build_outgoing(ids):
    """(id, key, message or the DeliveryError of a bad address) for the claimed rows, in order."""
    sender = current_app.config["MAIL_FROM"]
    rows = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.id.in_(ids))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .execution_options(populate_existing=True)
    ).scalars()
    outgoing = []
    for row in rows:
        try:
            mail.check_address(row.to_address)
        except mail.DeliveryError as failure:
            outgoing.append((row.id, row.key, failure))
            continue
        outgoing.append((row.id, row.key, mail.build_message(row, sender)))
    return outgoing


def _send(outgoing):
    """Hand each message to the transport; {id: DeliveryError} for those not accepted.

    Touches no database: it runs between the claim's commit and the record.
    Once no server takes the connection, the rest get that same answer.
    """
    failures = {}
    with mail.transport() as transport:
        unreachable = None
        for row_id, key, message in outgoing:
            if isinstance(message, mail.DeliveryError):
                failures[row_id] = message
            elif unreachable is not None:
                failures[row_id] = unreachable
            else:
                try:
                    transport.send(message, key)
                except mail.DeliveryError as failure:
                    failures[row_id] = failure
                    if failure.unreachable:
                        unreachable = failure
    return failures


def retry_now(message, now):
    """Send a failed (or waiting) message again at the relay's next run, with fresh attempts."""
    if message.status not in ("failed", "pending"):
        raise Conflict(_l("Only failed or waiting messages can be retried."))
    message.status = "pending"
    message.attempts = 0
    message.next_attempt_at = now
    message.claimed_until = None
    db.session.flush()
    return message


def format_counts(counts):
    """The relay's one-line summary, as the CLI and the job log print it."""
    return f"sent {counts['sent']}, retrying {counts['retrying']}, failed {counts['failed']}"


# --- reading, for the delivery log -------------------------------------------------

def _state_condition(state):
    if state == "retrying":
        return (OutboxMessage.status == "pending") & (OutboxMessage.attempts > 0)
    if state == "pending":
        return (OutboxMessage.status == "pending") & (OutboxMessage.attempts == 0)
    return OutboxMessage.status == state


def logged_messages(state=None):
    """A select of every outbox row, newest first; ``state`` (one of LOG_STATES) keeps those in it."""
    stmt = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    return stmt.where(_state_condition(state)) if state in LOG_STATES else stmt


def state_totals():
    """{state: rows} for every state of LOG_STATES (one grouped count)."""
    totals = dict.fromkeys(LOG_STATES, 0)
    # Attempts take a handful of values (0 .. MAIL_MAX_ATTEMPTS): fold them here.
    grouped = select(OutboxMessage.status, OutboxMessage.attempts, func.count()).group_by(
        OutboxMessage.status, OutboxMessage.attempts
    )
    for status, attempts, count in db.session.execute(grouped):
        name = "retrying" if status == "pending" and attempts else status
        totals[name] = totals.get(name, 0) + count
    return totals


def get_message(message_id):
    """The outbox row with this id, or None."""
    return db.session.get(OutboxMessage, message_id)


def stored_message(key):
    """The outbox row decided under ``key`` (e.g. a digest's), or None."""
    return db.session.execute(select(OutboxMessage).where(OutboxMessage.key == key)).scalar_one_or_none()
