"""Login throttling: failed logins counted per (account, client address) and per address.

``LOGIN_MAX_FAILURES`` failures for one account from one address lock that
pair for ``LOGIN_LOCKOUT_MINUTES``: the same account still logs in from
elsewhere, so an attacker cannot lock a commander out of his own phone.
``LOGIN_MAX_FAILURES_PER_ADDRESS`` failures from one address, whatever the
accounts (unknown usernames included), lock the address itself. A count
starts over once ``LOGIN_LOCKOUT_MINUTES`` pass without a failure, or once
its lock has ended.

The counts are rows (``LoginFailure``) changed by one upsert each, so every
worker reads and adds to the same count, and two failures at the same
moment both count. Functions flush or execute; the caller commits.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, case, delete, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracker.auth.models import ANY_ACCOUNT, LoginFailure
from tracker.extensions import db


def _window():
    return timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])


def is_locked(address, user_id, now):
    """True when ``address`` is locked, or the pair (``user_id``, ``address``) is (``user_id`` None: no account)."""
    accounts = [ANY_ACCOUNT] if user_id is None else [ANY_ACCOUNT, user_id]
    return db.session.execute(
        select(func.count()).select_from(LoginFailure)
        .where(LoginFailure.address == address, LoginFailure.user_id.in_(accounts), LoginFailure.locked_until > now)
    ).scalar_one() > 0


def _count(address, user_id, limit, now):
    """Add one failure to a count (created at 1 if new or stale); True when it reached ``limit`` just now."""
    table = LoginFailure.__table__
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    lock = now + _window()
    first_lock = literal(lock if limit <= 1 else None, type_=table.c.locked_until.type)
    stale = or_(table.c.last_failed_at <= now - _window(), table.c.locked_until <= now)
    stmt = insert(table).values(address=address, user_id=user_id, failures=1, last_failed_at=now,
                                locked_until=first_lock)
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.address, table.c.user_id], set_={
        "failures": case((stale, 1), else_=table.c.failures + 1),
        "locked_until": case(
            (stale, first_lock),
            (and_(table.c.locked_until.is_(None), table.c.failures + 1 >= limit), lock),
            else_=table.c.locked_until,
        ),
        "last_failed_at": now,
    }).returning(table.c.failures)
    # A lock starts when the count reaches the limit; it goes on counting above it while locked.
    return db.session.execute(stmt).scalar_one() == limit


def count_failure(address, user_id, now):
    """Count a failed login from ``address`` (for ``user_id``, if the username was a user's).

    Returns True when it locked the pair or the address just now.
    """
    config = current_app.config
    locked = _count(address, ANY_ACCOUNT, config["LOGIN_MAX_FAILURES_PER_ADDRESS"], now)
    if user_id is not None:
        locked = _count(address, user_id, config["LOGIN_MAX_FAILURES"], now) or locked
    return locked


def clear_failures(address, user_id):
    """A success: forget the pair's failures (the address's own count stays; it is not his alone)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.address == address, LoginFailure.user_id == user_id))


def purge_failures(now):
    """Delete the counts that would start over anyway (no failure for a window, no lock running); returns how many."""
    return db.session.execute(delete(LoginFailure).where(
        LoginFailure.last_failed_at <= now - _window(),
        or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until <= now),
    ).execution_options(synchronize_session=False)).rowcount
