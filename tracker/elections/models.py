"""Elections, the areas they cover and their stages."""
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.timeutil import utcnow

ELECTION_KINDS = ("pilkades", "pilkada", "pileg", "pilpres")
STAGES = ("lead_up", "campaign", "quiet", "voting", "recap")


class Election(db.Model):
    """One vote. The window runs from the first stage's start to the last's end.

    A removed election keeps its row (removed_at set) so the flags it raised
    and their history stay readable; every reader of the calendar, the sweep
    included, ignores it (``elections.queries.live_condition``).
    """

    __tablename__ = "election"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(160))
    voting_on: Mapped[date] = mapped_column(Date)
    scope_kind: Mapped[str] = mapped_column(String(10))
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    stages: Mapped[list["ElectionStage"]] = relationship(
        back_populates="election", cascade="all, delete-orphan", order_by="ElectionStage.starts_on"
    )
    areas: Mapped[list["ElectionArea"]] = relationship(
        back_populates="election", cascade="all, delete-orphan", order_by="ElectionArea.region_code"
    )

    __table_args__ = (Index("ix_election_window", "window_start", "window_end"),)


class ElectionArea(db.Model):
    """A province, kabupaten/kota or (Pilkades) desa an election covers."""

    __tablename__ = "election_area"
    __table_args__ = (UniqueConstraint("election_id", "region_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)

    election: Mapped[Election] = relationship(back_populates="areas")


class ElectionStage(db.Model):
    """A stage with inclusive local dates."""

    __tablename__ = "election_stage"
    __table_args__ = (UniqueConstraint("election_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(10))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    election: Mapped[Election] = relationship(back_populates="stages")
