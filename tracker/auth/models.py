"""Users, their village assignments and API tokens."""
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow

ROLES = ("babinsa", "koramil", "kodim", "admin")
# The unit kind each role belongs to; an admin may have none.
ROLE_UNIT_KIND = {"babinsa": "koramil", "koramil": "koramil", "kodim": "kodim"}


def new_session_token():
    return secrets.token_urlsafe(24)


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
    # Rotated on logout everywhere, deactivation and password change; part of
    # the session id, so old cookies stop working.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit = relationship("Unit")
    villages: Mapped[list["BabinsaVillage"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="BabinsaVillage.village_code"
    )

    @property
    def is_active(self):
        return self.is_active_account

    def get_id(self):
        return f"{self.id}:{self.session_token}"

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
