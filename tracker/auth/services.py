"""Authentication and user management operations.

Used by the login page, the API token endpoint, the admin pages and the
CLI alike. Functions flush; the caller commits.
"""
import functools
import hashlib
import logging
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, update

from tracker.auth.cache import user_columns, user_from_row
from tracker.auth.models import ROLE_UNIT_KIND, ROLES, ApiToken, BabinsaVillage, User
from tracker.auth.passwords import hash_password, needs_rehash, spend_verify_time, verify_password
from tracker.auth.sessions import end_sessions
from tracker.auth.signals import announce
from tracker.auth.throttle import clear_failures, count_failure, is_locked
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.params import row_id
from tracker.regions.models import Region
from tracker.timeutil import utcnow
from tracker.units.models import Unit

log = logging.getLogger("tracker.auth")

MIN_PASSWORD_LENGTH = 8


# The one answer to a refused login, whatever the reason (an unknown username,
# a wrong password, an inactive or a locked account), so it tells nothing.
LOGIN_REFUSED = _l("Wrong username or password. After repeated failures, logging in is blocked for a while; "
                   "try again later.")


class LoginRefused(Exception):
    """Login refused. Callers answer ``message`` whatever the reason; ``locked`` is for the records only."""

    message = LOGIN_REFUSED

    def __init__(self, locked=False):
        super().__init__("locked" if locked else "invalid")
        self.locked = locked


def authenticate(username, password, *, address, source="web"):
    """Check credentials from a client ``address``, counting failures in the database.

    Failures are counted per (account, address) and per address, and lock
    either (``tracker.auth.throttle``); the account's own count of failures
    since its last success is kept in its row. Every refusal costs one
    password verification (an unknown username is checked against a dummy
    hash, a locked account's password is checked all the same), so neither
    the answer nor its time tells which usernames exist or are locked.
    Logs never hold the password, nor a username that is no user's: people
    type their password into that field.
    """
    username = (username or "").strip()
    password = password or ""
    now = utcnow()
    user = find_user(username)
    user_id = user.id if user is not None else None
    locked = is_locked(address, user_id, now)
    if user is None:
        spend_verify_time(password)
        accepted = False
    else:
        accepted = verify_password(user.password_hash, password) and user.is_active
    who = repr(user.username) if user is not None else "an unknown username"
    # The audit log names the account only when the username was a user's.
    event = {"user": user, "actor": user, "address": address}
    if locked:
        log.warning("login refused via %s for %s from %s: locked", source, who, address)
        announce("login.locked", **event, detail={"via": source})
        raise LoginRefused(locked=True)
    if not accepted:
        now_locked = count_failure(address, user_id, now)
        if user is not None:
            # Incremented in SQL, so two workers failing at once both count.
            user.failed_logins = User.failed_logins + 1
        db.session.flush()
        log.warning("login failed via %s for %s from %s%s", source, who, address, " (now locked)" if now_locked else "")
        announce("login.failed", **event, detail={"via": source, "now_locked": now_locked})
        raise LoginRefused(locked=now_locked)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    clear_failures(address, user.id)
    user.failed_logins = 0
    user.last_login_at = now
    db.session.flush()
    announce("login.succeeded", **event, detail={"via": source})
    return user


def find_user(username):
    """The user with exactly this username, or None."""
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def get_user(user_id):
    """The user with this id, or None."""
    return db.session.get(User, user_id)


def search_users(q=""):
    """A select of every user by username; ``q`` keeps those whose username or full name holds it (any case)."""
    stmt = select(User).order_by(User.username)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(func.lower(User.username).like(like) | func.lower(User.full_name).like(like))
    return stmt


def check_role_and_unit(role, unit):
    """Errors ({field: [message]}) for an unknown role or a unit that does not fit it."""
    errors = {}
    if role not in ROLES:
        errors["role"] = [_l("Unknown role %(role)s; choose one of %(roles)s.", role=role, roles=", ".join(ROLES))]
        return errors
    wanted = ROLE_UNIT_KIND.get(role)
    if wanted and unit is None:
        errors["unit"] = [_l("A %(role)s user needs a unit.", role=role)]
    elif wanted and unit.kind != wanted:
        errors["unit"] = [_l("A %(role)s user belongs to a %(kind)s unit, not %(unit)s.", role=role, kind=wanted, unit=unit.name)]
    return errors


def find_unit(ref, field="unit"):
    """A unit by exact name, else by number, else by id; None when nothing matches.

    Numbers repeat (every Kodim has a Koramil 01), so a number naming
    several units raises ValidationError on ``field`` instead of picking
    one; and a number wins over an id, so ``0727`` is Kodim 0727, never
    the unit with id 727.
    """
    ref = str(ref).strip() if ref is not None else ""
    if not ref:
        return None
    unit = db.session.execute(select(Unit).where(Unit.name == ref)).scalar_one_or_none()
    if unit is not None:
        return unit
    numbered = db.session.execute(select(Unit).where(Unit.number == ref).order_by(Unit.id).limit(2)).scalars().all()
    if len(numbered) > 1:
        raise ValidationError({field: [_l("Several units have the number %(number)s; give the name or id.", number=ref)]})
    if numbered:
        return numbered[0]
    unit_id = row_id(ref)
    return db.session.get(Unit, unit_id) if unit_id is not None else None


def create_user(*, username, full_name, role, password, unit=None, rank=None, nrp=None,
                email=None, locale="id", digest=False):
    """Create a user after validating everything; raises ValidationError."""
    errors = {}
    username = (username or "").strip()
    if not username:
        errors["username"] = [_l("Username is required.")]
    elif len(username) > 64:
        errors["username"] = [_l("Username is at most 64 characters.")]
    elif db.session.execute(select(User.id).where(User.username == username)).first():
        errors["username"] = [_l("Username %(name)s is taken.", name=username)]
    if not (full_name or "").strip():
        errors["full_name"] = [_l("Full name is required.")]
    errors.update(check_role_and_unit(role, unit))
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [_l("Password must be at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)]
    if locale not in current_app.config["LANGUAGES"]:
        errors["locale"] = [_l("Language must be id or en.")]
    if errors:
        raise ValidationError(errors)
    user = User(
        username=username, full_name=full_name.strip(), role=role, unit=unit,
        rank=(rank or "").strip() or None, nrp=(nrp or "").strip() or None,
        email=(email or "").strip() or None, locale=locale,
        is_digest_enabled=bool(digest), password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    announce("user.created", user=user, detail={"role": role, "unit_id": user.unit_id})
    return user


def update_user(user, *, full_name, role, unit, rank=None, nrp=None, email=None,
                locale="id", digest=False, is_active=True):
    """Change a user's profile, role or unit; raises ValidationError.

    A new role or unit changes what he may see and do, so it ends his
    sessions and revokes his API tokens (``end_access``), as deactivation does.
    """
    errors = {}
    if not (full_name or "").strip():
        errors["full_name"] = [_l("Full name is required.")]
    errors.update(check_role_and_unit(role, unit))
    if locale not in current_app.config["LANGUAGES"]:
        errors["locale"] = [_l("Language must be id or en.")]
    if errors:
        raise ValidationError(errors)
    if role != user.role:
        announce("user.role_changed", user=user, detail={"from": user.role, "to": role})
        end_access(user, "role")
    if unit != user.unit:
        announce("user.area_changed", user=user,
                 detail={"unit_from": user.unit_id, "unit_to": unit.id if unit is not None else None})
        end_access(user, "area")
    user.role, user.unit = role, unit
    changed = _apply(user, {
        "full_name": full_name.strip(), "rank": (rank or "").strip() or None, "nrp": (nrp or "").strip() or None,
        "email": (email or "").strip() or None, "locale": locale, "is_digest_enabled": bool(digest),
    })
    if user.is_active_account and not is_active:
        deactivate_user(user)
    elif is_active and not user.is_active_account:
        changed.append("is_active")
    user.is_active_account = is_active
    if role != "babinsa":
        user.villages.clear()
    if changed:
        announce("user.changed", user=user, detail={"fields": changed})
    db.session.flush()
    return user


def _apply(user, values):
    """Set the user's attributes from ``values``; returns the names of those that changed."""
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, values[name])
    return changed


def update_settings(user, *, email, locale, digest):
    """A user's own settings: email, language and the morning digest switch."""
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationError({"locale": [_l("Language must be id or en.")]})
    changed = _apply(user, {"email": (email or "").strip() or None, "locale": locale,
                            "is_digest_enabled": bool(digest)})
    if changed:
        announce("user.changed", user=user, detail={"fields": changed})
    db.session.flush()
    return user


def set_locale(user, locale):
    """A user's interface language, one of LANGUAGES."""
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationError({"locale": [_l("Language must be id or en.")]})
    user.locale = locale
    db.session.flush()
    return user


def set_password(user, password):
    """Set a new password; ends every session of the user and revokes his API tokens."""
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError({"password": [_l("Password must be at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)]})
    user.password_hash = hash_password(password)
    announce("user.password_changed", user=user)
    end_access(user, "password")
    db.session.flush()


def deactivate_user(user):
    """Stop a user from logging in; ends his sessions and revokes his API tokens."""
    user.is_active_account = False
    announce("user.deactivated", user=user)
    end_access(user, "deactivated")
    db.session.flush()


def revoke_tokens(user, reason):
    """Revoke every API token of ``user`` still valid, for ``reason`` (recorded); returns how many."""
    count = db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
    if count:
        announce("token.revoked", user=user, detail={"count": count, "reason": reason})
    return count


def end_access(user, reason):
    """Sign ``user`` out everywhere: end every session and revoke every API token.

    Whoever holds a copied cookie or a token loses it with him; he logs in
    again. ``reason`` (``password``, ``role``, ``area``, ``deactivated``,
    ``admin``) goes into the audit log.
    """
    end_sessions(user, reason=reason)
    revoke_tokens(user, reason)


def assign_villages(user, codes, *, replace=True):
    """Assign villages to a Babinsa; every code must be a village in his Koramil's area."""
    if user.role != "babinsa":
        raise ValidationError({"villages": [_l("Only a babinsa is assigned villages.")]})
    from tracker.regions.codes import CodeError, normalize

    normalized, bad = [], []
    for raw in codes:
        try:
            normalized.append(normalize(raw))
        except CodeError:
            bad.append(str(raw))
    if bad:
        raise ValidationError({"villages": [_l("Not a region code: %(codes)s", codes=", ".join(bad))]})
    found = {
        r.code: r for r in db.session.execute(
            select(Region).where(Region.code.in_(normalized), Region.level == 4)
        ).scalars()
    }
    missing = [c for c in normalized if c not in found]
    if missing:
        raise ValidationError({"villages": [_l("Unknown village: %(codes)s", codes=", ".join(missing))]})
    covered = set(user.unit.region_codes) if user.unit else set()
    outside = [c for c in normalized if found[c].district_code not in covered]
    if outside:
        raise ValidationError({"villages": [_l("Outside the unit's kecamatan: %(codes)s", codes=", ".join(outside))]})
    wanted = list(dict.fromkeys(normalized))
    current = set(user.village_codes)
    if (set(wanted) if replace else current | set(wanted)) != current:
        # Another area is other tickets to see: he logs in again to get it.
        announce("user.area_changed", user=user, detail={
            "villages_from": sorted(current), "villages_to": sorted(set(wanted) if replace else current | set(wanted)),
        })
        end_access(user, "area")
    if replace:
        user.villages.clear()
        db.session.flush()
    have = set(user.village_codes)
    for code in wanted:
        if code not in have:
            user.villages.append(BabinsaVillage(village_code=code))
    db.session.flush()
    return user


def _token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user):
    """A new API token; only its digest is stored. Returns (token, ApiToken)."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user=user, token_hash=_token_digest(token),
        expires_at=utcnow() + timedelta(hours=current_app.config["API_TOKEN_HOURS"]),
    )
    db.session.add(row)
    db.session.flush()
    announce("token.created", user=user, actor=user, detail={"token_id": row.id})
    return token, row


def user_for_token(token):
    """The active user a bearer token belongs to, or None.

    One statement: every API request starts here. It reads the user's row
    as plain columns, his ``auth_stamp`` among them; the User object comes
    from the per-process cache at that stamp (``tracker.auth.cache``).
    """
    if not token:
        return None
    row = db.session.execute(_token_user_statement(), {"digest": _token_digest(token), "now": utcnow()}).first()
    return user_from_row(db.session, row) if row is not None else None


@functools.cache
def _token_user_statement():
    """user_for_token's statement, built once (its SQL and cache key too): table columns, bound values."""
    users, tokens = User.__table__, ApiToken.__table__
    return (
        select(*user_columns()).select_from(users.join(tokens, tokens.c.user_id == users.c.id))
        .where(tokens.c.token_hash == bindparam("digest"), tokens.c.revoked_at.is_(None),
               tokens.c.expires_at > bindparam("now"), users.c.is_active.is_(True))
    )


def revoke_token(token):
    """Revoke a bearer token; True if it existed."""
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _token_digest(token))
    ).scalar_one_or_none()
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        announce("token.revoked", user=row.user, actor=row.user,
                 detail={"token_id": row.id, "count": 1, "reason": "revoked"})
    db.session.flush()
    return True
