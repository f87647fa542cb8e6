"""Users, their village assignments, their login sessions and API tokens."""
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow

ROLES = ("babinsa", "koramil", "kodim", "admin")
# The unit kind each role belongs to; an admin may have none.
ROLE_UNIT_KIND = {"babinsa": "koramil", "koramil": "koramil", "kodim": "kodim"}


def new_auth_stamp():
    """A fresh random value for ``User.auth_stamp`` (62 bits: a signed BIGINT on every database)."""
    return secrets.randbits(62)


class User(UserMixin, db.Model):
    """A person who logs in. Scope comes from role, unit and assigned villages."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    rank: Mapped[str | None] = mapped_column(String(40))
    nrp: Mapped[str | None] = mapped_column(String(30))
    role: Mapped[str] = mapped_column(String(10))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="id")
    is_active_account: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    is_digest_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Failed logins since the last success, from any address (shown to admins;
    # the lock itself is per address: LoginFailure).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A new random value whenever anything a request knows about the user may
    # have changed: any column of his row, his villages, his unit's regions
    # (tracker.auth.cache keeps it so). Requests read it with the token or
    # session and take the user and his area codes from a per-process cache
    # keyed by (id, auth_stamp). Random rather than counted, so a restored
    # backup or a rebuilt database never repeats a value cached before. Rows
    # written around the ORM (the bench loader) start at 0.
    auth_stamp: Mapped[int] = mapped_column(BigInteger, default=new_auth_stamp, server_default=text("0"))

    unit = relationship("Unit")
    villages: Mapped[list["BabinsaVillage"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="BabinsaVillage.village_code"
    )

    # The login session the current request runs under and its key (as the
    # cookie holds it): set by start_session and by the user loader, never stored.
    login_session = None
    session_key = None

    @property
    def is_active(self):
        return self.is_active_account

    def get_id(self):
        """What the signed cookie holds: the user id and his session's key."""
        return f"{self.id}:{self.session_key}"

    @property
    def village_codes(self):
        return [v.village_code for v in self.villages]

    @property
    def display_name(self):
        return f"{self.rank} {self.full_name}" if self.rank else self.full_name

    def __repr__(self):
        return f"<User {self.username} {self.role}>"


class BabinsaVillage(db.Model):
    """A village assigned to a Babinsa."""

    __tablename__ = "babinsa_village"
    __table_args__ = (UniqueConstraint("user_id", "village_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)

    user: Mapped[User] = relationship(back_populates="villages")


class ApiToken(db.Model):
    """A bearer token for the JSON API, stored as its SHA-256 digest."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class UserSession(db.Model):
    """One login: a browser's session, referenced from its signed cookie by a random key.

    Only the key's SHA-256 digest is stored, as for API tokens. Deleting
    the row ends the session: the cookie then names nothing.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_agent: Mapped[str | None] = mapped_column(String(255))
    ip_address: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User] = relationship()


# LoginFailure.user_id of the count that covers every account tried from an address.
ANY_ACCOUNT = 0


class LoginFailure(db.Model):
    """Failed logins from one client address: for one account, or for every account (user_id ANY_ACCOUNT).

    Not a foreign key: the address's own count has no user, and an
    unknown username is never stored. ``locked_until`` is set when the
    count reaches its limit (see ``tracker.auth.throttle``).
    """

    __tablename__ = "login_failure"

    address: Mapped[str] = mapped_column(String(45), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
