"""Login sessions: one database row per login, referenced from the signed cookie.

The cookie holds the user id and a random key; the row holds the key's
SHA-256 digest, when the session started and was last used, the browser's
user agent and the client address. A session ends when its row is deleted:
at logout, when the user ends it from his settings page, and for every
session of a user whose password, role or area changes, who is deactivated,
or whom an admin signs out (``services.end_access``). It also ends by
itself after ``SESSION_IDLE_DAYS`` without a request or ``SESSION_MAX_DAYS``
after the login: the loader no longer finds it, and the daily housekeeping
(``audit.services.purge_expired``) deletes its row. Functions flush; the
caller commits.
"""
import functools
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from tracker.auth.cache import user_columns, user_from_row
from tracker.auth.models import User, UserSession
from tracker.auth.signals import announce
from tracker.extensions import db
from tracker.timeutil import as_utc, utcnow

# last_seen_at is written at most this often per session, not on every request.
TOUCH_EVERY = timedelta(minutes=5)


def _digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


def _limits(now):
    """(idle cut-off, absolute cut-off): a session last seen or started before them has ended."""
    config = current_app.config
    return now - timedelta(days=config["SESSION_IDLE_DAYS"]), now - timedelta(days=config["SESSION_MAX_DAYS"])


def _live(now):
    idle, oldest = _limits(now)
    return UserSession.last_seen_at > idle, UserSession.created_at > oldest


def start_session(user, *, user_agent=None, ip_address=None, now=None):
    """Record a new login session of ``user`` and give ``user`` its key for the cookie; returns the row."""
    now = now or utcnow()
    key = secrets.token_urlsafe(32)
    row = UserSession(user=user, key_hash=_digest(key), created_at=now, last_seen_at=now,
                      user_agent=user_agent, ip_address=ip_address)
    db.session.add(row)
    db.session.flush()
    user.login_session, user.session_key = row, key
    return row


def session_user(user_id, key, now=None):
    """The active user whose live session has this key (his ``login_session`` set), or None.

    One statement: every page request of a signed-in user starts here. The
    session row is an ORM object; the user's row is read as plain columns and
    the User comes from the per-process cache at its ``auth_stamp``.
    """
    if user_id is None or not key:
        return None
    idle, oldest = _limits(now or utcnow())
    found = db.session.execute(
        _session_user_statement(), {"digest": _digest(key), "user_id": user_id, "idle": idle, "oldest": oldest}
    ).first()
    if found is None:
        return None
    row = found[0]
    # The user at the stamp just read, from the per-process cache (tracker.auth.cache).
    user = user_from_row(db.session, found[1:])
    set_committed_value(row, "user", user)
    user.login_session, user.session_key = row, key
    return user


@functools.cache
def _session_user_statement():
    """session_user's statement, built once (its SQL and cache key too), with bound values."""
    return (
        select(UserSession, *user_columns()).join(UserSession.user)
        .where(UserSession.key_hash == bindparam("digest"), UserSession.user_id == bindparam("user_id"),
               User.is_active_account.is_(True), UserSession.last_seen_at > bindparam("idle"),
               UserSession.created_at > bindparam("oldest"))
    )


def touch_session(row, now=None):
    """Note that the session was used, at most once per TOUCH_EVERY; True when it wrote."""
    now = now or utcnow()
    if as_utc(row.last_seen_at) > now - TOUCH_EVERY:
        return False
    # A statement, not an attribute change: the row may have been deleted
    # meanwhile (a logout in another tab), which must not fail this request.
    db.session.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    return True


def user_sessions(user, now=None):
    """The live sessions of ``user``, the most recently used first."""
    return db.session.execute(
        select(UserSession).where(UserSession.user_id == user.id, *_live(now or utcnow()))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).scalars().all()


def find_user_session(user, session_id):
    """The session ``session_id`` if it is one of ``user``'s, else None (another user's is None too)."""
    row = db.session.get(UserSession, session_id) if session_id else None
    return row if row is not None and row.user_id == user.id else None


def end_session(row, reason):
    """End one session: its cookie names nothing from now on.

    ``reason``: "logout" (recorded as a logout) or "user" (he ended it from his settings page).
    """
    user = row.user
    db.session.delete(row)
    db.session.flush()
    announce("logout" if reason == "logout" else "session.ended", user=user,
             detail={"session_id": row.id, "count": 1, "reason": reason})


def end_sessions(user, *, reason, keep=None):
    """End every session of ``user`` but ``keep`` (a session, or None for all); returns how many ended.

    ``reason`` (why they end: "user", "password", "admin"...) goes into the audit log.
    """
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    count = db.session.execute(stmt).rowcount
    if count:
        announce("session.ended", user=user, detail={"count": count, "reason": reason})
    return count


def purge_expired_sessions(now=None):
    """Delete the rows of sessions that idled out or outlived SESSION_MAX_DAYS; returns how many."""
    idle, oldest = _limits(now or utcnow())
    # Not synchronised with the session's objects: a by-age purge runs in a job, and
    # comparing SQLite's naive times with aware ones in Python would fail.
    return db.session.execute(
        delete(UserSession).where(or_(UserSession.last_seen_at <= idle, UserSession.created_at <= oldest))
        .execution_options(synchronize_session=False)
    ).rowcount
