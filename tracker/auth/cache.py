"""What a request knows about its user, kept per process and never stale.

Every API request (by its bearer token) and every page request (by its
session cookie) reads its user's row in one statement, the token's or
session's validity and the account's being active checked in SQL. The row
carries ``User.auth_stamp``; the User object a request works with and the
user's area codes (``tracker.scope``) come from a per-process cache keyed by
(user id, auth_stamp), so a request that finds them there builds no ORM
object from the row and sends no statement for the area.

The stamp takes a new random value in the same transaction as any change
that could make a cached answer wrong (the listeners below):

- any column of the user's row: role, unit, password, being active, and
  the rest (the cached object holds every column);
- his villages: BabinsaVillage rows added, removed or changed;
- his unit's regions: UnitRegion rows added, removed or changed, or the
  unit's ``regions`` collection changed (every user of the unit, one UPDATE);
- a set-based statement through the session on ``user_account``,
  ``babinsa_village`` or ``unit_region`` renews every user's stamp.

Since each request reads the stamp from the database, a change committed by
any worker process takes effect on the next request everywhere. The stamp
is random, not counted: a rolled-back change, a restored backup or a
rebuilt test database never brings back a value cached before. Writes
through a bare connection, around the session, must call ``renew_all``.

The cache is read and filled only while the session has no unflushed
change (an unflushed ``user.unit_id = ...`` would otherwise meet the old
stamp); a flush renews the stamp first.
"""
import functools
import threading
from collections import OrderedDict

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from tracker.auth.models import BabinsaVillage, User, new_auth_stamp
from tracker.units.models import Unit, UnitRegion

# Users kept per process; a worker serving more drops the least recently used.
MAX_USERS = 4096

_AREA_TABLES = frozenset({BabinsaVillage.__table__.name, UnitRegion.__table__.name})


@functools.cache
def _keys():
    """The mapped column attributes of User, in the order user_columns() selects them (once mappers are set up)."""
    return tuple(attr.key for attr in inspect(User).column_attrs)


def user_columns():
    """The table columns of a user row, for a statement whose row user_from_row() turns into a User.

    Plain table columns: a statement of them runs without the ORM's compile step.
    """
    mapper = inspect(User)
    return tuple(mapper.column_attrs[key].columns[0] for key in _keys())


class _Entry:
    """One user at one stamp: a detached User with every column, and his area codes by kind."""

    __slots__ = ("user", "codes")

    def __init__(self, user):
        self.user = user
        self.codes = {}


_lock = threading.Lock()
_entries = OrderedDict()


def _get(key):
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
        return entry


def _put(key, entry):
    with _lock:
        _entries[key] = entry
        _entries.move_to_end(key)
        while len(_entries) > MAX_USERS:
            _entries.popitem(last=False)


def clear():
    """Forget every cached user (never needed for correctness: stamps change)."""
    with _lock:
        _entries.clear()


def size():
    """How many users the cache holds."""
    return len(_entries)


def _pending(session):
    """True when the session holds changes not yet flushed."""
    return bool(session.new or session.deleted or session.dirty)


def user_from_row(session, values):
    """The User of a row of user_columns() (in that order), attached to ``session``.

    Taken from the cache when it holds this user at this stamp, else built
    from the row itself (which carries the stamp it is cached under).
    """
    data = dict(zip(_keys(), values))
    key = (data["id"], data["auth_stamp"])
    present = session.identity_map.get(identity_key(User, key[0]))
    if present is not None and inspect(present).modified:
        return present  # the session's own unflushed changes win
    entry = _get(key)
    if entry is None:
        snapshot = User(**data)
        make_transient_to_detached(snapshot)
        entry = _Entry(snapshot)
        _put(key, entry)
    # A copy for this session; the cached object itself is never attached.
    return session.merge(entry.user, load=False)


def area_codes(session, user, kind):
    """The cached codes of ``kind`` ("unit" or "babinsa") for ``user`` at his current stamp, or None."""
    stamp = _loaded_stamp(user)
    if stamp is None or _pending(session):
        return None
    entry = _get((user.id, stamp))
    return entry.codes.get(kind) if entry is not None else None


def keep_area_codes(session, user, kind, codes):
    """Remember ``codes`` just read for ``user`` at his current stamp (not while changes wait for a flush)."""
    stamp = _loaded_stamp(user)
    if stamp is None or _pending(session):
        return
    key = (user.id, stamp)
    entry = _get(key)
    if entry is None:
        return  # only users a request has loaded by token or session are cached
    entry.codes[kind] = codes


def _loaded_stamp(user):
    """The user's stamp as the session knows it, without loading anything; None when unknown."""
    try:
        state = inspect(user)
    except Exception:  # not a mapped object (an anonymous user)
        return None
    if state.key is None or state.modified:
        return None
    return state.dict.get("auth_stamp")


# Keeping stamps current ---------------------------------------------------

_RENEW_USERS = "waspada.auth_cache.users"
_RENEW_UNITS = "waspada.auth_cache.units"


def _history_values(obj, attr):
    """The attribute's current and replaced values (a foreign key moved to another row changes both)."""
    history = inspect(obj).attrs[attr].history
    values = set(history.added or ()) | set(history.deleted or ()) | set(history.unchanged or ())
    return {v for v in values if v is not None}


@event.listens_for(Session, "before_flush")
def _renew_stamps(session, _context, _instances):
    users, units = set(), set()
    for obj in session.dirty:
        if isinstance(obj, User):
            if session.is_modified(obj) and not inspect(obj).attrs.auth_stamp.history.added:
                obj.auth_stamp = new_auth_stamp()
        elif isinstance(obj, BabinsaVillage) and session.is_modified(obj):
            users |= _owner_ids(obj)
        elif isinstance(obj, UnitRegion) and session.is_modified(obj):
            units |= _unit_ids(obj)
        elif isinstance(obj, Unit) and session.is_modified(obj):
            units.add(obj.id)
    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, BabinsaVillage):
            users |= _owner_ids(obj)
        elif isinstance(obj, UnitRegion):
            units |= _unit_ids(obj)
    # Users the session holds get their new stamp in this flush; the rest by one UPDATE after it.
    for user_id in list(users):
        present = session.identity_map.get(identity_key(User, user_id))
        if present is not None and present not in session.deleted:
            present.auth_stamp = new_auth_stamp()
            users.discard(user_id)
    if users:
        session.info.setdefault(_RENEW_USERS, set()).update(users)
    if units:
        session.info.setdefault(_RENEW_UNITS, set()).update(units)


def _owner_ids(village):
    ids = _history_values(village, "user_id")
    owner = inspect(village).dict.get("user")
    if owner is not None and owner.id is not None:
        ids.add(owner.id)
    return ids


def _unit_ids(region):
    ids = _history_values(region, "unit_id")
    unit = inspect(region).dict.get("unit")
    if unit is not None and unit.id is not None:
        ids.add(unit.id)
    return ids


@event.listens_for(Session, "after_flush")
def _renew_after_flush(session, _context):
    users = session.info.pop(_RENEW_USERS, None)
    units = session.info.pop(_RENEW_UNITS, None)
    table = User.__table__
    if users:
        _renew(session, table.c.id.in_(sorted(users)), lambda u: u.id in users)
    if units:
        _renew(session, table.c.unit_id.in_(sorted(units)), lambda u: u.unit_id in units)


def _renew(session, condition, held):
    """Give the users matching ``condition`` one new stamp; users the session holds learn it too."""
    stamp = new_auth_stamp()
    statement = update(User.__table__).values(auth_stamp=stamp)
    if condition is not None:
        statement = statement.where(condition)
    # On the session's connection, not session.execute: no ORM event runs for it.
    session.connection().execute(statement)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, User) and "auth_stamp" in inspect(obj).dict and held(obj):
            set_committed_value(obj, "auth_stamp", stamp)


def renew_all(session):
    """Give every user a new stamp: after writes on users or areas that bypassed the ORM's flush."""
    _renew(session, None, lambda _user: True)


@event.listens_for(Session, "do_orm_execute")
def _renew_on_set_based_write(state):
    """An INSERT, UPDATE or DELETE statement on users or areas renews every user's stamp first (same transaction)."""
    if state.is_select or not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name == User.__table__.name and state.is_insert:
        return  # new rows get their own stamps
    if name == User.__table__.name or name in _AREA_TABLES:
        renew_all(state.session)
